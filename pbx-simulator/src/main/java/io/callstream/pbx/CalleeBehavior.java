package io.callstream.pbx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How an outside number behaves when the switch calls it (an Originate, or a Dial to
 * {@code PJSIP/<number>@<trunk>}): answer after a ring time (and then run its own steps, like a
 * caller), be busy, never answer, reject, fail, or find the network congested. A behaviour may be
 * {@linkplain #followedBy followed by} others for the later calls to the number (busy on the first
 * call, answering the retry).
 */
public final class CalleeBehavior {
    public enum Kind { ANSWER, BUSY, NO_ANSWER, REJECT, FAILED, CONGESTION }

    private final Kind kind;
    private final Duration ringTime;
    private final Duration talkTime;
    private final List<Step> steps;
    private final List<CalleeBehavior> later;

    private CalleeBehavior(Kind kind, Duration ringTime, Duration talkTime, List<Step> steps, List<CalleeBehavior> later) {
        this.kind = kind;
        this.ringTime = ringTime;
        this.talkTime = talkTime;
        this.steps = List.copyOf(steps);
        this.later = List.copyOf(later);
    }

    private CalleeBehavior(Kind kind, Duration ringTime, Duration talkTime, List<Step> steps) {
        this(kind, ringTime, talkTime, steps, List.of());
    }

    /** Answers after ringing this long, then runs its steps (none: stays until the switch hangs up). */
    public static CalleeBehavior answerAfter(Duration ringTime) {
        return new CalleeBehavior(Kind.ANSWER, Objects.requireNonNull(ringTime), null, List.of());
    }

    public static CalleeBehavior busy() {
        return new CalleeBehavior(Kind.BUSY, Duration.ZERO, null, List.of());
    }

    /** Rings until the caller gives up (or for {@link #afterRinging} if set, then the network gives up). */
    public static CalleeBehavior noAnswer() {
        return new CalleeBehavior(Kind.NO_ANSWER, null, null, List.of());
    }

    public static CalleeBehavior reject() {
        return new CalleeBehavior(Kind.REJECT, Duration.ZERO, null, List.of());
    }

    public static CalleeBehavior failed() {
        return new CalleeBehavior(Kind.FAILED, Duration.ZERO, null, List.of());
    }

    public static CalleeBehavior congestion() {
        return new CalleeBehavior(Kind.CONGESTION, Duration.ZERO, null, List.of());
    }

    /** Rings this long before busy/reject/congestion/failure, or at most this long when not answering. */
    public CalleeBehavior afterRinging(Duration ringTime) {
        return new CalleeBehavior(kind, Objects.requireNonNull(ringTime), talkTime, steps, later);
    }

    /** After answering, runs these steps (awaitPrompt, press, say, hangup...). */
    public CalleeBehavior then(Step... more) {
        List<Step> all = new ArrayList<>(steps);
        all.addAll(Arrays.asList(more));
        return new CalleeBehavior(kind, ringTime, talkTime, all, later);
    }

    /** The steps of a script (its numbers are ignored). */
    public CalleeBehavior then(CallerScript script) {
        return then(script.steps().toArray(Step[]::new));
    }

    /** When reached through Dial: talks this long after answering, then hangs up. */
    public CalleeBehavior talkFor(Duration talkTime) {
        return new CalleeBehavior(kind, ringTime, Objects.requireNonNull(talkTime), steps, later);
    }

    /**
     * This behaviour for the first call to the number, then {@code next} for the calls after it in
     * turn; the last one for every call after that. Registering the number again starts over.
     */
    public CalleeBehavior followedBy(CalleeBehavior... next) {
        List<CalleeBehavior> all = new ArrayList<>(later);
        for (CalleeBehavior b : next) {
            all.add(b.onlyThis());
            all.addAll(b.later);
        }
        return new CalleeBehavior(kind, ringTime, talkTime, steps, all);
    }

    /** How the number behaves on its {@code n}-th call (0 for the first). */
    public CalleeBehavior forCall(int n) {
        if (n <= 0 || later.isEmpty()) {
            return onlyThis();
        }
        return later.get(Math.min(n, later.size()) - 1);
    }

    /** The behaviours for the calls after the first, in turn (empty: every call behaves alike). */
    public List<CalleeBehavior> later() {
        return later;
    }

    private CalleeBehavior onlyThis() {
        return later.isEmpty() ? this : new CalleeBehavior(kind, ringTime, talkTime, steps, List.of());
    }

    public Kind kind() {
        return kind;
    }

    /** Ring time; null for a no-answer callee that rings forever. */
    public Duration ringTime() {
        return ringTime;
    }

    public Duration talkTime() {
        return talkTime;
    }

    public List<Step> steps() {
        return steps;
    }

    @Override
    public String toString() {
        return "CalleeBehavior[" + kind + (ringTime == null ? "" : ", ring " + ringTime.toMillis() + " ms")
                + (steps.isEmpty() ? "" : ", " + steps) + (later.isEmpty() ? "" : ", then " + later) + "]";
    }
}
