package io.callstream.contracts.call;

/** Data of an event on {@code callstream.call.events}; the Kafka key is {@link #callId()}. */
public interface CallEvent {
    String callId();
}
