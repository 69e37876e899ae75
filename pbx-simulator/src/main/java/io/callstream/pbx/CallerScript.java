package io.callstream.pbx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A scripted caller: who calls whom and what the caller does. Immutable; every method returns a new
 * script with one more step, so a script can serve as a template.
 *
 * <pre>
 * CallerScript.from("13800000000").to("4001").awaitPrompt("Welcome").press("12#").awaitEnd()
 * </pre>
 */
public final class CallerScript {
    /** Delay before each key when none is given. */
    public static final Duration DEFAULT_KEY_DELAY = Duration.ofMillis(100);

    private final String from;
    private final String to;
    private final String name;
    private final List<Step> steps;

    private CallerScript(String from, String to, String name, List<Step> steps) {
        this.from = from;
        this.to = to;
        this.name = name;
        this.steps = List.copyOf(steps);
    }

    public static CallerScript from(String callerNumber) {
        return new CallerScript(Objects.requireNonNull(callerNumber, "callerNumber"), "", null, List.of());
    }

    /** The number the caller dials (agi_dnid and agi_extension). */
    public CallerScript to(String dialledNumber) {
        return new CallerScript(from, Objects.requireNonNull(dialledNumber, "dialledNumber"), name, steps);
    }

    /** The caller id name (agi_calleridname); {@code unknown} when not set. */
    public CallerScript name(String callerName) {
        return new CallerScript(from, to, callerName, steps);
    }

    public CallerScript awaitPrompt(String text) {
        return then(new Step.AwaitPrompt(text, null));
    }

    public CallerScript awaitPrompt(String text, Duration timeout) {
        return then(new Step.AwaitPrompt(text, timeout));
    }

    public CallerScript press(String keys) {
        return then(new Step.Press(keys, DEFAULT_KEY_DELAY));
    }

    public CallerScript press(String keys, Duration delayBeforeEachKey) {
        return then(new Step.Press(keys, delayBeforeEachKey));
    }

    public CallerScript say(String text) {
        return then(new Step.Say(text));
    }

    public CallerScript pause(Duration duration) {
        return then(new Step.Pause(duration));
    }

    public CallerScript hangup() {
        return then(new Step.Hangup());
    }

    public CallerScript abandonAfter(Duration after) {
        return then(new Step.AbandonAfter(after));
    }

    public CallerScript awaitAgent() {
        return then(new Step.AwaitAgent(null));
    }

    public CallerScript awaitAgent(Duration timeout) {
        return then(new Step.AwaitAgent(timeout));
    }

    public CallerScript awaitEnd() {
        return then(new Step.AwaitEnd(null));
    }

    public CallerScript awaitEnd(Duration timeout) {
        return then(new Step.AwaitEnd(timeout));
    }

    public CallerScript then(Step... more) {
        List<Step> all = new ArrayList<>(steps);
        all.addAll(Arrays.asList(more));
        return new CallerScript(from, to, name, all);
    }

    /** The same script from another number (load mode numbers its callers). */
    public CallerScript withFrom(String callerNumber) {
        return new CallerScript(callerNumber, to, name, steps);
    }

    public String fromNumber() {
        return from;
    }

    public String toNumber() {
        return to;
    }

    public String callerName() {
        return name;
    }

    public List<Step> steps() {
        return steps;
    }

    @Override
    public String toString() {
        return "CallerScript[" + from + " -> " + to + ", " + steps + "]";
    }
}
