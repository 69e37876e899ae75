package io.callstream.contracts.routing;

import java.time.Instant;

/** The caller was queued for {@code skillGroup} at {@code queuedAt}; {@code position} 1 is the next to be served. */
public record CallQueued(String callId, String skillGroup, int position, Instant queuedAt, Integer estimatedWaitSeconds)
        implements RoutingEvent {
    public static final String TYPE = "io.callstream.routing.call-queued";

    /** Without an estimate (as before it was added). */
    public CallQueued(String callId, String skillGroup, int position, Instant queuedAt) {
        this(callId, skillGroup, position, queuedAt, null);
    }
}
