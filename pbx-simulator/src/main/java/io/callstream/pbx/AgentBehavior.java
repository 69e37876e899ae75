package io.callstream.pbx;

import java.time.Duration;
import java.util.Objects;

/**
 * How an agent endpoint ({@code PJSIP/1001}) behaves when the switch dials it: answer after a ring
 * time and talk (then the agent hangs up), never answer, be busy, or be unavailable (no registered
 * device: the switch cannot even create the channel).
 */
public final class AgentBehavior {
    public enum Kind { ANSWER, NO_ANSWER, BUSY, UNAVAILABLE }

    private final Kind kind;
    private final Duration ringTime;
    private final Duration talkTime;

    private AgentBehavior(Kind kind, Duration ringTime, Duration talkTime) {
        this.kind = kind;
        this.ringTime = ringTime;
        this.talkTime = talkTime;
    }

    /** Answers after ringing this long; talks until the caller hangs up unless {@link #talkFor} is set. */
    public static AgentBehavior answerAfter(Duration ringTime) {
        return new AgentBehavior(Kind.ANSWER, Objects.requireNonNull(ringTime), null);
    }

    public static AgentBehavior noAnswer() {
        return new AgentBehavior(Kind.NO_ANSWER, Duration.ZERO, null);
    }

    public static AgentBehavior busy() {
        return new AgentBehavior(Kind.BUSY, Duration.ZERO, null);
    }

    public static AgentBehavior unavailable() {
        return new AgentBehavior(Kind.UNAVAILABLE, Duration.ZERO, null);
    }

    /** After answering, talks this long and then hangs up. */
    public AgentBehavior talkFor(Duration talkTime) {
        return new AgentBehavior(kind, ringTime, Objects.requireNonNull(talkTime));
    }

    /** Rings this long before answering or signalling busy. */
    public AgentBehavior afterRinging(Duration ringTime) {
        return new AgentBehavior(kind, Objects.requireNonNull(ringTime), talkTime);
    }

    public Kind kind() {
        return kind;
    }

    public Duration ringTime() {
        return ringTime;
    }

    /** Talk time, or null to stay until the other side hangs up. */
    public Duration talkTime() {
        return talkTime;
    }

    @Override
    public String toString() {
        return "AgentBehavior[" + kind + ", ring " + ringTime.toMillis() + " ms"
                + (talkTime == null ? "" : ", talk " + talkTime.toMillis() + " ms") + "]";
    }
}
