package io.callstream.contracts.ivr;

/** How an input node ended. */
public enum InputOutcome {
    /** The caller gave a valid input. */
    OK,
    /** The caller gave no input before the timeout. */
    NO_INPUT,
    /** The caller's input was not valid for the node. */
    INVALID,
    /** The caller used up the node's allowed number of errors. */
    MAX_ERRORS
}
