package io.callstream.contracts.routing;

/** Data of an event on {@code callstream.routing.events}; the Kafka key is {@link #callId()}. */
public interface RoutingEvent {
    String callId();
}
