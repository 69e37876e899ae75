package io.callstream.contracts.call;

/** A prompt finished; {@code interruptedBy} is the key that cut it short, if any. */
public record PromptPlayed(String callId, String commandId, String interruptedBy) implements CommandResult {
    public static final String TYPE = "io.callstream.call.prompt-played";
}
