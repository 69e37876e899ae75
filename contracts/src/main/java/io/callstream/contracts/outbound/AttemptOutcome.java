package io.callstream.contracts.outbound;

/** How one attempt to reach a callee ended. */
public enum AttemptOutcome {
    /** The callee answered and the outbound flow ran. */
    ANSWERED,
    BUSY,
    NO_ANSWER,
    /** The callee (or their network) refused the call. */
    REJECTED,
    /** The call could not be placed (congestion, no route, the gateway never reported back). */
    FAILED,
    /** Not dialed: the number is on the do-not-call list. */
    BLOCKED_DNC,
    /** Not dialed: the task's not-after passed, or it was stopped, first. */
    BLOCKED_WINDOW
}
