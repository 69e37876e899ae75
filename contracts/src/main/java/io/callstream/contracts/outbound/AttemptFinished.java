package io.callstream.contracts.outbound;

import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.ivr.SessionOutcome;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One attempt is over: its outcome, timings, and for answered calls what the outbound flow collected
 * ({@code keyTrail}, final {@code variables}, {@code sessionOutcome}; absent when no IVR session reported).
 */
public record AttemptFinished(String taskId, String attemptId, String calleeId, int tryNumber, String callerNumber,
                              String calleeNumber, String callId, AttemptOutcome outcome, Instant startedAt,
                              Instant answeredAt, Instant endedAt, Integer hangupCause, SessionOutcome sessionOutcome,
                              List<KeyPress> keyTrail, Map<String, String> variables) implements OutboundEvent {
    public static final String TYPE = "io.callstream.outbound.attempt-finished";
}
