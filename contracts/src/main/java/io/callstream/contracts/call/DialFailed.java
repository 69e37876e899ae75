package io.callstream.contracts.call;

/**
 * A dialled leg (connect agent, dial external, transfer extension) did not connect; the caller is
 * still on the line. {@code agentId} is set for connect-agent.
 */
public record DialFailed(String callId, String commandId, String agentId, String target,
                         DialFailureReason reason) implements CommandResult {
    public static final String TYPE = "io.callstream.call.dial-failed";
}
