package io.callstream.contracts.call;

/** Why a dialled leg (agent, external number, extension) did not connect. */
public enum DialFailureReason { NO_ANSWER, BUSY, CONGESTION, UNAVAILABLE, FAILED }
