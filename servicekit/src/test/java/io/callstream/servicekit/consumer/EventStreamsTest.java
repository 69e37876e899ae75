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
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void eventsAppliedInBatchesTakeEffectOnceAndAFailingOneIsIsolatedFromItsBatchMates() {
        String key = "batch-" + UUID.randomUUID();
        java.util.List<String> good = new java.util.ArrayList<>();
        String failing = null;
        // one produce request (linger), one key: the stream's poll gets all 60 at once and applies them in batches
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(java.util.Map.of(
                "bootstrap.servers", kafka.companion().getBootstrapServers(), "acks", "all", "linger.ms", 500),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < 60; i++) {
                boolean fails = i == 25;
                EventEnvelope e = new EventEnvelope(UUID.randomUUID().toString(), "io.callstream.test.effect", "/test",
                        Instant.now(), key, io.callstream.contracts.Json.write(new EffectRequest("n" + i, fails)));
                if (fails) {
                    failing = e.id();
                } else {
                    good.add(e.id());
                }
                producer.send(i == 40
                        ? new org.apache.kafka.clients.producer.ProducerRecord<>(TOPIC, key, "junk".getBytes(StandardCharsets.UTF_8))
                        : io.callstream.contracts.cloudevents.CloudEventsKafka.toRecord(TOPIC, e));
                if (i == 40) {
                    good.remove(e.id()); // the junk record took its place
                }
            }
            producer.flush();
        }
        String last = good.get(good.size() - 1);
        await().until(() -> effects(last) == 1);
        for (String id : good) {
            assertEquals(1, effects(id), "event " + id + " applied exactly once");
        }
        assertEquals(0, effects(failing), "the failing event's effect rolled back, not its batch-mates'");
        kafka.awaitEventId(ServicekitTestResources.DLQ_TOPIC, failing);
        // a transaction's rows share its start time: fewer distinct times than events means batches were committed
        long transactions = ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT count(DISTINCT processed_at) FROM processed_event WHERE consumer = 'stream-effects'"
                        + " AND event_id = ANY (?1)").setParameter(1, good.toArray(new String[0])).getSingleResult())).longValue();
        org.junit.jupiter.api.Assertions.assertTrue(transactions < good.size() / 2,
                transactions + " transactions for " + good.size() + " events");
    }

    @Test
    void typesTheStreamDoesNotWantArePassedOverWithoutATransaction() {
        String key = "filtered-" + UUID.randomUUID();
        String passedOver = kafka.send(TOPIC, "io.callstream.test.not-for-this-stream", key, new EffectRequest("skip", false));
        String wanted = kafka.send(TOPIC, "io.callstream.test.effect", key, new EffectRequest("take", false));

        await().until(() -> effects(wanted) == 1); // same key, same partition: the other one came first
        assertEquals(0, effects(passedOver), "a type the stream does not want has no effect");
        long rows = ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT count(*) FROM processed_event WHERE event_id = ?1").setParameter(1, passedOver)
                .getSingleResult())).longValue();
        assertEquals(0, rows, "and leaves no processed-event row");
        assertTrue(kafka.recordsWithEventId(ServicekitTestResources.DLQ_TOPIC, passedOver).isEmpty(), "nor a dead letter");
    }

    private long effects(String eventId) {
        return ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT count(*) FROM widget_effect WHERE event_id = ?1").setParameter(1, eventId)
                .getSingleResult())).longValue();
    }
}
