package io.callstream.contracts.outbound;

/** Data of an event on {@code callstream.outbound.events}; the Kafka key is {@link #taskId()}. */
public interface OutboundEvent {
    String taskId();
}
