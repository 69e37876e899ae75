package io.callstream.contracts.call;

/** How digit collection ended. */
public enum DigitsCompletion {
    /** The caller pressed the terminator key (usually {@code #}). */
    TERMINATOR,
    /** The fixed length or the maximum number of digits was reached. */
    LENGTH_REACHED,
    /** No (further) key within the timeout; {@code digits} holds what was typed, maybe nothing. */
    TIMEOUT
}
