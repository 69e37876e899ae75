package io.callstream.contracts.cloudevents;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** CloudEvents 1.0 Kafka protocol binding, binary content mode, both ways. */
public final class CloudEventsKafka {
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";

    public static ProducerRecord<String, byte[]> toRecord(String topic, EventEnvelope e) {
        return new ProducerRecord<>(topic, null, e.subject(), e.data(), headers(e));
    }

    public static Headers headers(EventEnvelope e) {
        RecordHeaders h = new RecordHeaders();
        put(h, SPEC_VERSION, EventEnvelope.SPEC_VERSION);
        put(h, ID, e.id());
        put(h, TYPE, e.type());
        put(h, SOURCE, e.source());
        put(h, TIME, e.time().toString());
        put(h, SUBJECT, e.subject());
        put(h, CONTENT_TYPE, EventEnvelope.CONTENT_TYPE);
        return h;
    }

    public static EventEnvelope read(ConsumerRecord<String, byte[]> record) {
        return read(record.headers(), record.value());
    }

    /** Reads the envelope; anything that is not one of our CloudEvents is a {@link MalformedEventException}. */
    public static EventEnvelope read(Headers headers, byte[] value) {
        String version = required(headers, SPEC_VERSION);
        if (!EventEnvelope.SPEC_VERSION.equals(version)) {
            throw new MalformedEventException("unsupported ce_specversion " + version);
        }
        String contentType = get(headers, CONTENT_TYPE);
        if (contentType != null && !contentType.startsWith(EventEnvelope.CONTENT_TYPE)) {
            throw new MalformedEventException("unsupported content-type " + contentType);
        }
        if (value == null) {
            throw new MalformedEventException("the record has no data");
        }
        String time = get(headers, TIME);
        Instant at;
        try {
            at = time == null ? null : Instant.parse(time);
        } catch (DateTimeParseException ex) {
            throw new MalformedEventException("ce_time is not an RFC 3339 time: " + time);
        }
        return new EventEnvelope(required(headers, ID), required(headers, TYPE), required(headers, SOURCE), at,
                get(headers, SUBJECT), value);
    }

    private static String required(Headers headers, String name) {
        String v = get(headers, name);
        if (v == null || v.isEmpty()) {
            throw new MalformedEventException("missing header " + name);
        }
        return v;
    }

    private static String get(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers h, String name, String value) {
        if (value != null) {
            h.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private CloudEventsKafka() {
    }
}
