package io.callstream.contracts.agent;

import java.time.Instant;

/**
 * The agent's state changed. {@code callId} and {@code skillGroupId} name the call the change is about
 * (offered, connected, ended); {@code afterCallState} is what the agent asked for once the call ends.
 */
public record AgentStateChanged(String agentId, AgentState state, String reason, AgentState previousState,
                                AgentStateCause cause, String callId, String skillGroupId,
                                AgentState afterCallState, boolean forcedOffline, Instant changedAt)
        implements AgentEvent {
    public static final String TYPE = "io.callstream.agent.state-changed";
}
