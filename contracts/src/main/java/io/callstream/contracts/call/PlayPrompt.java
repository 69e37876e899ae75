package io.callstream.contracts.call;

/** Play {@code prompt} {@code repeat} times (at least once); a key cuts it short when interruptible. */
public record PlayPrompt(String commandId, String callId, Prompt prompt, boolean interruptible, int repeat)
        implements CallCommand {
    public static final String TYPE = "io.callstream.call.play";
}
