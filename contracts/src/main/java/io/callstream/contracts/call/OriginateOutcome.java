package io.callstream.contracts.call;

/** Why an originated call was not answered, mapped from Asterisk's OriginateResponse reason. */
public enum OriginateOutcome { BUSY, NO_ANSWER, CONGESTION, REJECTED, FAILED }
