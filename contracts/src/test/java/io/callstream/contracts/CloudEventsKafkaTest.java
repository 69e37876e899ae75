package io.callstream.contracts;

import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.contracts.cloudevents.MalformedEventException;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Our binary-mode binding, read by the official CloudEvents SDK and by ourselves. (servicekit's OutboxTest does it over a real broker.) */
class CloudEventsKafkaTest {
    private final EventEnvelope envelope = new EventEnvelope("0b6f8a4e-1d1c-4b8e-9a53-9f1c2d3e4f50", CallEnded.TYPE,
            "/callstream/telephony-gateway", Instant.parse("2026-11-24T10:15:30.123Z"), "call-42",
            Json.write(new CallEnded("call-42", 16, "Normal Clearing", HangupParty.CALLER)));

    @Test
    void theCloudEventsSdkReadsOurHeaders() {
        ProducerRecord<String, byte[]> record = CloudEventsKafka.toRecord(Topics.CALL_EVENTS, envelope);
        try (CloudEventDeserializer sdk = new CloudEventDeserializer()) {
            sdk.configure(Map.of(), false);
            CloudEvent event = sdk.deserialize(record.topic(), record.headers(), record.value());
            assertEquals("1.0", event.getSpecVersion().toString());
            assertEquals(envelope.id(), event.getId());
            assertEquals(CallEnded.TYPE, event.getType());
            assertEquals("/callstream/telephony-gateway", event.getSource().toString());
            assertEquals("call-42", event.getSubject());
            assertEquals("application/json", event.getDataContentType());
            assertEquals(envelope.time(), event.getTime().toInstant());
            assertArrayEquals(envelope.data(), event.getData().toBytes());
        }
        assertEquals("call-42", record.key());
    }

    @Test
    void readingBackGivesTheSameEnvelope() {
        ProducerRecord<String, byte[]> record = CloudEventsKafka.toRecord(Topics.CALL_EVENTS, envelope);
        EventEnvelope read = CloudEventsKafka.read(record.headers(), record.value());
        assertEquals(envelope.id(), read.id());
        assertEquals(envelope.type(), read.type());
        assertEquals(envelope.source(), read.source());
        assertEquals(envelope.time(), read.time());
        assertEquals(envelope.subject(), read.subject());
        assertArrayEquals(envelope.data(), read.data());
    }

    @Test
    void recordsThatAreNotOurCloudEventsAreMalformed() {
        byte[] data = "{}".getBytes(StandardCharsets.UTF_8);
        assertThrows(MalformedEventException.class, () -> CloudEventsKafka.read(new RecordHeaders(), data));

        var noId = CloudEventsKafka.headers(envelope);
        noId.remove(CloudEventsKafka.ID);
        assertThrows(MalformedEventException.class, () -> CloudEventsKafka.read(noId, data));

        var oldSpec = CloudEventsKafka.headers(envelope);
        oldSpec.remove(CloudEventsKafka.SPEC_VERSION);
        oldSpec.add(CloudEventsKafka.SPEC_VERSION, "0.3".getBytes(StandardCharsets.UTF_8));
        assertThrows(MalformedEventException.class, () -> CloudEventsKafka.read(oldSpec, data));

        var badTime = CloudEventsKafka.headers(envelope);
        badTime.remove(CloudEventsKafka.TIME);
        badTime.add(CloudEventsKafka.TIME, "yesterday".getBytes(StandardCharsets.UTF_8));
        assertThrows(MalformedEventException.class, () -> CloudEventsKafka.read(badTime, data));

        var xml = CloudEventsKafka.headers(envelope);
        xml.remove(CloudEventsKafka.CONTENT_TYPE);
        xml.add(CloudEventsKafka.CONTENT_TYPE, "application/xml".getBytes(StandardCharsets.UTF_8));
        assertThrows(MalformedEventException.class, () -> CloudEventsKafka.read(xml, data));
    }
}
