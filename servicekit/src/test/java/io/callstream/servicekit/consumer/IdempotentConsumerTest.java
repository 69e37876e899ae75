package io.callstream.servicekit.consumer;

import io.callstream.contracts.Json;
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

@QuarkusTest
class IdempotentConsumerTest {
    private static final String IN = ServicekitTestResources.IN_TOPIC;
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;

    @Test
    void theSameEventDeliveredTwiceHasOneEffect() {
        String key = "dup-" + UUID.randomUUID();
        EventEnvelope event = envelope(key, new EffectRequest("once", false));
        kafka.send(IN, event);
        kafka.send(IN, event);
        String after = kafka.send(IN, "io.callstream.test.effect", key, new EffectRequest("after", false));

        await().until(() -> effects(after) == 1); // same key, same partition: the duplicate was handled before
        assertEquals(1, effects(event.id()));
    }

    @Test
    void aRecordThatIsNotACloudEventGoesToTheDeadLetterTopicAndTheConsumerGoesOn() {
        String key = "raw-" + UUID.randomUUID();
        byte[] junk = "not an event".getBytes(StandardCharsets.UTF_8);
        kafka.sendRaw(IN, key, junk);
        String next = kafka.send(IN, "io.callstream.test.effect", key, new EffectRequest("next", false));

        ConsumerRecord<String, byte[]> dead = kafka.awaitRecord(ServicekitTestResources.DLQ_TOPIC, r -> key.equals(r.key()));
        assertArrayEquals(junk, dead.value());
        await().until(() -> effects(next) == 1);
    }

    @Test
    void unreadableDataGoesToTheDeadLetterTopicWithoutRetries() {
        String key = "bad-" + UUID.randomUUID();
        EventEnvelope bad = new EventEnvelope(UUID.randomUUID().toString(), "io.callstream.test.effect", "/test",
                Instant.now(), key, "{\"note\": [1, 2".getBytes(StandardCharsets.UTF_8));
        kafka.send(IN, bad);
        String next = kafka.send(IN, "io.callstream.test.effect", key, new EffectRequest("next", false));

        kafka.awaitEventId(ServicekitTestResources.DLQ_TOPIC, bad.id());
        await().until(() -> effects(next) == 1);
        assertEquals(0, effects(bad.id()));
    }

    @Test
    void anEventWhoseHandlerKeepsFailingIsDeadLetteredAndLeavesNothingBehind() {
        String key = "fail-" + UUID.randomUUID();
        EventEnvelope failing = envelope(key, new EffectRequest("doomed", true));
        kafka.send(IN, failing);
        String next = kafka.send(IN, "io.callstream.test.effect", key, new EffectRequest("next", false));

        kafka.awaitEventId(ServicekitTestResources.DLQ_TOPIC, failing.id());
        await().until(() -> effects(next) == 1);
        assertEquals(0, effects(failing.id()), "each try rolled back its effect");
        assertEquals(0L, ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT count(*) FROM processed_event WHERE event_id = ?1").setParameter(1, failing.id())
                .getSingleResult())).longValue(), "a failed event is not remembered as processed");
    }

    private static EventEnvelope envelope(String key, Object data) {
        return new EventEnvelope(UUID.randomUUID().toString(), "io.callstream.test.effect", "/callstream/test",
                Instant.now(), key, Json.write(data));
    }

    private long effects(String eventId) {
        return ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT count(*) FROM widget_effect WHERE event_id = ?1").setParameter(1, eventId)
                .getSingleResult())).longValue();
    }
}
