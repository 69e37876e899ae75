package io.callstream.contracts.call;

public enum CommandFailureReason {
    /** The call had already ended when the command arrived or while it ran. */
    CALL_ENDED,
    /** The command's values cannot be executed (e.g. an empty number). */
    INVALID,
    /** The switch refused or failed the command. */
    SWITCH_ERROR,
    /** The switch did not answer in time. */
    TIMEOUT
}
