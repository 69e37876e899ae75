package io.callstream.contracts.outbound;

import java.time.Instant;

/** A task changed state; {@code reason} says why (a user's request, not-after passed, every callee done...). */
public record TaskStateChanged(String taskId, String name, TaskState state, TaskState previousState, String reason,
                               Instant changedAt) implements OutboundEvent {
    public static final String TYPE = "io.callstream.outbound.task-state-changed";
}
