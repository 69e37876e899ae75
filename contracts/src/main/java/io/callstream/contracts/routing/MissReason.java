package io.callstream.contracts.routing;

/** Why an offered agent did not take the call. */
public enum MissReason {
    /** The agent's phone rang until the ring timeout without being answered. */
    NO_ANSWER,
    /** The agent's phone was busy. */
    BUSY,
    /** The agent's phone could not be rung (unreachable, not registered, switch error). */
    FAILED
}
