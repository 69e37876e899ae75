package io.callstream.contracts.ivr;

/** How an IVR session ended. */
public enum SessionOutcome {
    /** The flow ran to one of its ends (hang-up, transfer, ...). */
    COMPLETED,
    /** The caller hung up while the flow was running. */
    CALLER_HUNG_UP,
    /** The flow could not go on (an error in the flow or in a command). */
    FAILED
}
