package io.callstream.contracts.outbound;

import java.time.Instant;

/** The dialer sent an originate for one callee; {@code callId} is the call it will be if answered. */
public record AttemptStarted(String taskId, String attemptId, String calleeId, int tryNumber, String callerNumber,
                             String calleeNumber, String callId, Instant startedAt) implements OutboundEvent {
    public static final String TYPE = "io.callstream.outbound.attempt-started";
}
