package io.callstream.pbx;

import java.time.Duration;

/**
 * One step of a scripted party (a caller, or a callee after it answers). Steps run in order on
 * their own thread; a {@code null} timeout means the simulator's default step timeout.
 */
public sealed interface Step {
    /** Waits until a prompt whose text or file name contains {@code text} (ignoring case) is heard. */
    record AwaitPrompt(String text, Duration timeout) implements Step {
    }

    /** Presses the keys one by one, each after {@code delay}. */
    record Press(String keys, Duration delay) implements Step {
    }

    /** The answer the party gives to the next speech recognition. */
    record Say(String text) implements Step {
    }

    /** Does nothing for a while. */
    record Pause(Duration duration) implements Step {
    }

    /** Hangs up. */
    record Hangup() implements Step {
    }

    /** Hangs up {@code after} from now unless bridged to an agent by then; the next steps run meanwhile. */
    record AbandonAfter(Duration after) implements Step {
    }

    /** Waits until bridged to an agent (or another party). */
    record AwaitAgent(Duration timeout) implements Step {
    }

    /** Stays on the line until the call ends. */
    record AwaitEnd(Duration timeout) implements Step {
    }
}
