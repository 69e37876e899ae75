package io.callstream.contracts.call;

/**
 * A bridge between the caller and an agent, number or extension ended. When {@code hungUpBy} is not
 * the caller, the caller is still on the line and the flow may go on.
 */
public record BridgeEnded(String callId, String commandId, String agentId, String target,
                          HangupParty hungUpBy, long talkMillis) implements CommandResult {
    public static final String TYPE = "io.callstream.call.bridge-ended";
}
