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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class IdempotentConsumerTest {
    private static final String IN = ServicekitTestResources.IN_TOPIC;
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;

    @Inject
    IdempotentConsumer consumer;

    @Inject
    ProcessedEvents processed;

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

    @Test
    void aBatchAppliesEachNewEventOnceInOrderAndSkipsThoseAppliedBefore() {
        String key = "batch-" + UUID.randomUUID();
        IncomingEvent before = new IncomingEvent(envelope(key, new EffectRequest("before", false)));
        IncomingEvent first = new IncomingEvent(envelope(key, new EffectRequest("first", false)));
        IncomingEvent second = new IncomingEvent(envelope(key, new EffectRequest("second", false)));
        List<String> applied = new ArrayList<>();
        assertTrue(consumer.processBatch("batch-test", List.of(before), e -> applied.add(e.id())));

        // redelivered with a duplicate inside the batch itself (a relay's resend polled together with the original)
        assertTrue(consumer.processBatch("batch-test", List.of(before, first, second, first), e -> applied.add(e.id())));

        assertEquals(List.of(before.id(), first.id(), second.id()), applied);
        assertEquals(3L, ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT count(*) FROM processed_event WHERE consumer = 'batch-test' AND event_id IN (?1, ?2, ?3)")
                .setParameter(1, before.id()).setParameter(2, first.id()).setParameter(3, second.id())
                .getSingleResult())).longValue());
    }

    @Test
    void idsPastTheirRetentionAreForgottenInRoundsAndYoungerOnesKept() {
        String name = "retention-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < 7; i++) {
                em.createNativeQuery("INSERT INTO processed_event (consumer, event_id, processed_at) VALUES (?1, ?2, now() - interval '8 days')")
                        .setParameter(1, name).setParameter(2, "old-" + i).executeUpdate();
            }
            for (int i = 0; i < 2; i++) {
                em.createNativeQuery("INSERT INTO processed_event (consumer, event_id, processed_at) VALUES (?1, ?2, now() - interval '6 days')")
                        .setParameter(1, name).setParameter(2, "young-" + i).executeUpdate();
            }
        });

        long forgotten = processed.forgetBefore(Instant.now().minus(java.time.Duration.ofDays(7)), 3); // rounds of 3, 3, 1

        assertTrue(forgotten >= 7, "forgot " + forgotten);
        @SuppressWarnings("unchecked")
        List<String> left = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT event_id FROM processed_event WHERE consumer = ?1 ORDER BY event_id").setParameter(1, name).getResultList());
        assertEquals(List.of("young-0", "young-1"), left);
    }
    @Test
    void anEventHandlersPrefetchIsReadInTheSameTransactionBeforeTheEventsAreApplied() {
        String key = "prefetch-" + UUID.randomUUID();
        IncomingEvent first = new IncomingEvent(envelope(key, new EffectRequest("first", false)));
        IncomingEvent second = new IncomingEvent(envelope(key, new EffectRequest("second", false)));
        List<String> seen = new ArrayList<>();
        EventHandler handler = new EventHandler() {
            @Override
            public void accept(IncomingEvent e) {
                seen.add("applied " + e.id());
            }

            @Override
            public Prefetch prefetch(List<IncomingEvent> events) {
                // the processed-event rows are this statement's neighbours: the read sees what the insert wrote
                return new Prefetch("SELECT event_id FROM processed_event WHERE consumer = 'prefetch-test'"
                        + " AND event_id = ANY (?::text[]) ORDER BY event_id",
                        (c, ps, first) -> ps.setArray(first, c.createArrayOf("text",
                                events.stream().map(IncomingEvent::id).toArray())),
                        rows -> {
                            List<String> ids = new ArrayList<>();
                            while (rows.next()) {
                                ids.add(rows.getString(1));
                            }
                            seen.add("read " + ids.size());
                        });
            }
        };
        assertTrue(consumer.processBatch("prefetch-test", List.of(first, second), handler));
        assertEquals(List.of("read 2", "applied " + first.id(), "applied " + second.id()), seen);

        seen.clear();
        assertTrue(consumer.processBatch("prefetch-test", List.of(first), handler)); // a duplicate: read, not applied
        assertEquals(List.of("read 1"), seen);

        seen.clear();
        IncomingEvent third = new IncomingEvent(envelope(key, new EffectRequest("third", false)));
        consumer.process("prefetch-test", polled(third.envelope()), handler); // one record: the same round trip

        assertEquals(List.of("read 1", "applied " + third.id()), seen);
    }

    @Test
    void aBatchWhoseHandlerFailsLeavesNoEventRecorded() {
        String key = "batch-fail-" + UUID.randomUUID();
        IncomingEvent ok = new IncomingEvent(envelope(key, new EffectRequest("ok", false)));
        IncomingEvent bad = new IncomingEvent(envelope(key, new EffectRequest("bad", false)));

        assertFalse(consumer.processBatch("batch-test", List.of(ok, bad), e -> {
            if (e.id().equals(bad.id())) {
                throw new IllegalStateException("handler failed");
            }
        }));

        List<String> applied = new ArrayList<>();
        assertTrue(consumer.processBatch("batch-test", List.of(ok, bad), e -> applied.add(e.id())));
        assertEquals(List.of(ok.id(), bad.id()), applied, "the failed batch recorded nothing, so both are new again");
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

    /** The record a poll would hand over for {@code e}. */
    private static ConsumerRecord<String, byte[]> polled(EventEnvelope e) {
        return new ConsumerRecord<>(IN, 0, 0L, System.currentTimeMillis(), org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                -1, -1, e.subject(), e.data(), io.callstream.contracts.cloudevents.CloudEventsKafka.headers(e), java.util.Optional.empty());
    }
}
