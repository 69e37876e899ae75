package io.callstream.outbound.rest;

import io.callstream.contracts.ivr.KeyPress;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One callee of a task with every attempt made to reach it, oldest first. */
public record CalleeView(String calleeId, String number, Map<String, String> variables, String uui, String state,
                         int tries, String lastOutcome, Instant nextAttemptAt, Instant updatedAt,
                         List<AttemptView> attempts) {

    /** One attempt: outcome, timings, and what the outbound flow collected. */
    public record AttemptView(String attemptId, int tryNumber, String callerNumber, String callId, String outcome,
                              Instant startedAt, Instant answeredAt, Instant endedAt, Integer hangupCause,
                              String sessionOutcome, List<KeyPress> keyTrail, Map<String, String> variables) {
    }
}
