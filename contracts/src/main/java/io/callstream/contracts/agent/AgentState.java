package io.callstream.contracts.agent;

/** Where an agent is: only a READY agent is offered calls. */
public enum AgentState {
    /** Logged out. */
    OFFLINE,
    /** Free to take a call. */
    READY,
    /** Logged in but not taking calls, with a reason (rest, meeting, missed calls, ...). */
    NOT_READY,
    /** A call is offered: the agent's phone rings. */
    RINGING,
    /** On a call. */
    BUSY,
    /** Wrapping up after a call, for a set time; then back to ready (or what was asked for after the call). */
    AFTER_CALL_WORK
}
