package io.callstream.contracts.routing;

/** The queued caller's position changed; {@code position} 1 is the next to be served. */
public record QueuePositionChanged(String callId, String skillGroup, int position, Integer estimatedWaitSeconds)
        implements RoutingEvent {
    public static final String TYPE = "io.callstream.routing.queue-position-changed";

    /** Without an estimate (as before it was added). */
    public QueuePositionChanged(String callId, String skillGroup, int position) {
        this(callId, skillGroup, position, null);
    }
}
