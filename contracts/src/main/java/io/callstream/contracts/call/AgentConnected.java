package io.callstream.contracts.call;

/** The agent answered and is bridged with the caller. */
public record AgentConnected(String callId, String commandId, String agentId, String endpoint,
                             String agentChannel) implements CommandResult {
    public static final String TYPE = "io.callstream.call.agent-connected";
}
