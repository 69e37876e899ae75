package io.callstream.contracts.routing;

/** The queued caller's position changed; {@code position} 1 is the next to be served. */
public record QueuePositionChanged(String callId, String skillGroup, int position) implements RoutingEvent {
    public static final String TYPE = "io.callstream.routing.queue-position-changed";
}
