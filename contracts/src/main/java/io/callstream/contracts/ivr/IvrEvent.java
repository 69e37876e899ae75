package io.callstream.contracts.ivr;

/** Data of an event on {@code callstream.ivr.events}; the Kafka key is {@link #callId()}. */
public interface IvrEvent {
    String callId();
}
