package io.callstream.contracts.call;

/** The agent's endpoint started ringing for a connect-agent command. */
public record AgentAlerted(String callId, String commandId, String agentId, String endpoint)
        implements CommandResult {
    public static final String TYPE = "io.callstream.call.agent-alerted";
}
