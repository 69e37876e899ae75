package io.callstream.servicekit.consumer;

import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.servicekit.ServicekitTestResources;
import io.callstream.servicekit.testapp.WidgetEffects.EffectRequest;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** EventStreams: once per event, poison to the dead-letter topic, and the stream goes on. */
@QuarkusTest
class EventStreamsTest {
    private static final String TOPIC = ServicekitTestResources.STREAM_TOPIC;
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;

    @Test
    void eachEventTakesEffectOnceAndPoisonIsParkedWhileTheStreamGoesOn() {
        String key = "stream-" + UUID.randomUUID();
        EventEnvelope once = new EventEnvelope(UUID.randomUUID().toString(), "io.callstream.test.effect", "/test",
                Instant.now(), key, io.callstream.contracts.Json.write(new EffectRequest("once", false)));
        kafka.send(TOPIC, once);
        kafka.send(TOPIC, once); // redelivered: no second effect
        String failing = kafka.send(TOPIC, "io.callstream.test.effect", key, new EffectRequest("fails", true));
        byte[] junk = "not an event".getBytes(StandardCharsets.UTF_8);
        kafka.sendRaw(TOPIC, key, junk);
        String after = kafka.send(TOPIC, "io.callstream.test.effect", key, new EffectRequest("after", false));

        await().until(() -> effects(after) == 1); // same key, same partition: everything before it was handled
        assertEquals(1, effects(once.id()));
        assertEquals(0, effects(failing), "the failing event's effect rolled back with it");
        ConsumerRecord<String, byte[]> parked = kafka.awaitEventId(ServicekitTestResources.DLQ_TOPIC, failing);
        assertEquals(TOPIC, KafkaEvents.header(parked, "dead-letter-topic"));
        ConsumerRecord<String, byte[]> junkParked = kafka.awaitRecord(ServicekitTestResources.DLQ_TOPIC,
                r -> key.equals(r.key()) && java.util.Arrays.equals(junk, r.value()));
        assertArrayEquals(junk, junkParked.value());
    }

    private long effects(String eventId) {
        return ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT count(*) FROM widget_effect WHERE event_id = ?1").setParameter(1, eventId)
                .getSingleResult())).longValue();
    }
}
