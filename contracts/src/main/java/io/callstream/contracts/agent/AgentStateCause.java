package io.callstream.contracts.agent;

/** What made an agent's state change. */
public enum AgentStateCause {
    /** The agent asked (log in, ready, not ready, log out). */
    AGENT_REQUEST,
    /** An admin changed it (forced offline, or a state set on the agent's behalf). */
    ADMIN_REQUEST,
    /** routing-service offered the agent a call. */
    CALL_OFFERED,
    /** The agent answered the offered call. */
    CALL_CONNECTED,
    /** The agent did not take the offered call. */
    CALL_MISSED,
    /** The agent missed too many offered calls in a row and was set not ready. */
    MISSED_CALLS_LIMIT,
    /** The agent's call ended (or the caller hung up while it rang). */
    CALL_ENDED,
    /** After-call work ran out. */
    AFTER_CALL_WORK_ENDED,
    /**
     * Not a change: agent-service published the agent's current state again, as routing-service asked
     * ({@code io.callstream.routing.agent-view-requested}); changedAt is when the agent entered it.
     */
    SNAPSHOT
}
