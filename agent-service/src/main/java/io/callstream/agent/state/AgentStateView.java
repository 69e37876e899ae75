package io.callstream.agent.state;

import io.callstream.agent.domain.AgentStatus;
import io.callstream.contracts.agent.AgentState;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An agent's state as the API shows it, with what the agent may ask for from there. */
public record AgentStateView(UUID agentId, AgentState state, String reason, Instant since, String callId,
                             String skillGroupId, AgentState afterCallState, String afterCallReason,
                             Instant afterCallWorkEndsAt, int missedInRow, boolean forcedOffline,
                             List<String> allowedRequests) {

    public static AgentStateView of(AgentStatus s) {
        boolean onCall = s.state == AgentState.RINGING || s.state == AgentState.BUSY
                || s.state == AgentState.AFTER_CALL_WORK;
        return new AgentStateView(s.agentId, s.state, s.reason, s.since, onCall ? s.callId : null,
                onCall ? s.skillGroupId : null, s.afterCallState, s.afterCallReason, s.acwUntil, s.missedInRow,
                s.forcedOffline, AgentStateMachine.allowedRequests(s));
    }
}
