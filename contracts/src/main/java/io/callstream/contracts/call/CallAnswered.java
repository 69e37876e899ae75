package io.callstream.contracts.call;

/** The call was answered; {@code commandId} is the answer command, absent when answered by the switch. */
public record CallAnswered(String callId, String commandId) implements CommandResult {
    public static final String TYPE = "io.callstream.call.answered";
}
