package io.callstream.contracts.ivr;

/** How the caller answered an input node. */
public enum InputKind {
    /** A run of digits (e.g. an account number). */
    DIGITS,
    /** A single key choosing a menu option. */
    KEY,
    /** Spoken words, through speech recognition. */
    SPEECH
}
