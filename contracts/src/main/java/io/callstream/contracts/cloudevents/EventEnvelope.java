package io.callstream.contracts.cloudevents;

import java.time.Instant;

/**
 * The CloudEvents 1.0 attributes Callstream sets on every record, and the JSON data. On Kafka they
 * travel in binary mode: attributes as {@code ce_*} headers, data as the record value, the subject
 * (the record key) naming the call, agent or task.
 */
public record EventEnvelope(String id, String type, String source, Instant time, String subject, byte[] data) {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";
}
