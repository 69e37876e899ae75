package io.callstream.contracts.call;

/** Ring the agent's endpoint (e.g. {@code PJSIP/1001}) and bridge the caller when the agent answers. */
public record ConnectAgent(String commandId, String callId, String agentId, String endpoint,
                           int ringTimeoutSeconds, String callerId) implements CallCommand {
    public static final String TYPE = "io.callstream.call.connect-agent";
}
