package io.callstream.servicekit.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.callstream.contracts.Json;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.contracts.cloudevents.MalformedEventException;

import java.io.IOException;

/** A CloudEvent taken off Kafka: its attributes, and its data read as the record the type names. */
public record IncomingEvent(EventEnvelope envelope) {

    public String id() {
        return envelope.id();
    }

    public String type() {
        return envelope.type();
    }

    public String subject() {
        return envelope.subject();
    }

    /** The data as {@code type}; unreadable data is a {@link MalformedEventException} (no retry, dead letter). */
    public <T> T data(Class<T> type) {
        try {
            return Json.MAPPER.readValue(envelope.data(), type);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("data of " + envelope.type() + " " + envelope.id()
                    + " is not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException("cannot read data of " + envelope.id(), e);
        }
    }
}
