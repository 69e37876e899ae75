package io.callstream.servicekit.outbox;

import io.callstream.contracts.Json;
import io.callstream.servicekit.ServicekitTestResources;
import io.callstream.servicekit.testapp.WidgetResource.WidgetCreated;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestInfrastructure;
import io.callstream.testkit.TestTokens;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OutboxTest {
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    Outbox outbox;
    @Inject
    EntityManager em;
    @Inject
    OutboxRelay relay;
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Test
    void committedEventArrivesAsACloudEventThatTheOfficialSdkReads() {
        String name = "sdk-" + UUID.randomUUID();
        String widgetId = given().auth().oauth2(TestTokens.token("admin")).contentType("application/json")
                .body("{\"name\":\"" + name + "\",\"color\":\"GREEN\",\"priority\":1}")
                .when().post("/widgets").then().statusCode(201).extract().path("widgetId");

        CloudEvent event = readWithCloudEventsSdk(ServicekitTestResources.WIDGET_TOPIC, widgetId);
        assertEquals("1.0", event.getSpecVersion().toString());
        assertEquals("io.callstream.test.widget-created", event.getType());
        assertEquals("/callstream/servicekit-test", event.getSource().toString());
        assertEquals(widgetId, event.getSubject());
        assertEquals("application/json", event.getDataContentType());
        assertNotNull(event.getTime());
        assertTrue(Duration.between(event.getTime().toInstant(), Instant.now()).abs().toMinutes() < 5);
        WidgetCreated data = Json.read(event.getData().toBytes(), WidgetCreated.class);
        assertEquals(new WidgetCreated(widgetId, name, io.callstream.servicekit.testapp.Widget.Color.GREEN), data);

        UUID rowId = UUID.fromString(event.getId());
        await().untilAsserted(() -> assertNotNull(sentAt(rowId), "the relay marks what the broker acknowledged"));
    }

    @Test
    void rolledBackTransactionSendsNothing() {
        AtomicReference<UUID> rolledBack = new AtomicReference<>();
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            rolledBack.set(outbox.publish(ServicekitTestResources.WIDGET_TOPIC, "k-rollback", "io.callstream.test.noise",
                    Map.of("n", 1)));
            throw new IllegalStateException("the state change failed");
        }));
        UUID marker = QuarkusTransaction.requiringNew().call(() ->
                outbox.publish(ServicekitTestResources.WIDGET_TOPIC, "k-marker", "io.callstream.test.noise", Map.of("n", 2)));

        kafka.awaitEventId(ServicekitTestResources.WIDGET_TOPIC, marker.toString());
        // The relay sends in commit order: the marker's arrival means an earlier row would have gone too.
        assertTrue(kafka.recordsWithEventId(ServicekitTestResources.WIDGET_TOPIC, rolledBack.get().toString()).isEmpty());
        assertNull(QuarkusTransaction.requiringNew().call(() -> OutboxMessage.findById(rolledBack.get())));
    }

    @Test
    void eventCommittedButNeverSentBeforeACrashIsSentByTheRelay() {
        // What a process that died between commit and send leaves behind: a committed, unsent row.
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO outbox_message (id, topic, message_key, type, source, occurred_at, payload)"
                                + " VALUES (?1, ?2, 'k-crash', 'io.callstream.test.noise', '/callstream/crashed', now(), '{\"n\":3}')")
                .setParameter(1, id).setParameter(2, ServicekitTestResources.WIDGET_TOPIC).executeUpdate());

        ConsumerRecord<String, byte[]> record = kafka.awaitEventId(ServicekitTestResources.WIDGET_TOPIC, id.toString());
        assertEquals("k-crash", record.key());
        await().untilAsserted(() -> assertNotNull(sentAt(id)));
        assertEquals(1, kafka.recordsWithEventId(ServicekitTestResources.WIDGET_TOPIC, id.toString()).size());
    }

    @Test
    void failedSendIsRetriedUntilTheEventArrivesOncePerEventId() {
        String topic = "servicekit.test.late-" + UUID.randomUUID();
        UUID id = QuarkusTransaction.requiringNew().call(() ->
                outbox.publish(topic, "k-late", "io.callstream.test.noise", Map.of("n", 4)));

        // The topic does not exist yet and brokers do not create topics: the send fails for real.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            OutboxMessage m = QuarkusTransaction.requiringNew().call(() -> OutboxMessage.findById(id));
            assertTrue(m.attempts >= 1, "attempted");
            assertNotNull(m.lastError, "the failure is recorded");
            assertNull(m.sentAt);
        });

        TestInfrastructure.get().createTopics(List.of(topic));
        kafka.awaitEventId(topic, id.toString());
        await().untilAsserted(() -> assertNotNull(sentAt(id)));
        assertEquals(1, kafka.recordsWithEventId(topic, id.toString()).size(), "once per event id");
    }

    @Test
    void eventsOfOneKeyArriveInCommitOrderWhenTransactionsRaceForTheAggregate() throws Exception {
        // Three threads change one aggregate under its row lock, each change publishing the counter it
        // reached (ARCHITECTURE: one aggregate's changes happen under its row lock). A transaction that
        // waited for the lock commits right after the previous one; its event must still come second.
        UUID widget = UUID.randomUUID();
        String key = "k-race-" + widget;
        knownTopic(ServicekitTestResources.WIDGET_TOPIC);
        double onCommitBefore = sentOnCommit();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "INSERT INTO widget (id, name, color, priority) VALUES (?1, ?2, 'RED', 0)")
                .setParameter(1, widget).setParameter(2, key).executeUpdate());
        int threads = 3;
        int perThread = 40;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        QuarkusTransaction.requiringNew().run(() -> {
                            Number n = (Number) em.createNativeQuery(
                                    "UPDATE widget SET priority = priority + 1 WHERE id = ?1 RETURNING priority")
                                    .setParameter(1, widget).getSingleResult();
                            outbox.publish(ServicekitTestResources.WIDGET_TOPIC, key, "io.callstream.test.counter",
                                    Map.of("n", n.intValue()));
                        });
                    }
                }));
            }
            for (java.util.concurrent.Future<?> run : runs) {
                run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        int total = threads * perThread;
        java.util.concurrent.atomic.AtomicInteger records = new java.util.concurrent.atomic.AtomicInteger();
        List<Integer> order = await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Integer> seen = new ArrayList<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            int ofKey = 0;
            for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(ServicekitTestResources.WIDGET_TOPIC)) {
                if (key.equals(r.key())) {
                    ofKey++;
                    if (ids.add(new String(r.headers().lastHeader("ce_id").value(), java.nio.charset.StandardCharsets.UTF_8))) {
                        seen.add(((Number) Json.read(r.value(), Map.class).get("n")).intValue());
                    }
                }
            }
            records.set(ofKey);
            return seen;
        }, seen -> seen.size() == total);
        for (int i = 0; i < total; i++) {
            assertEquals(i + 1, order.get(i), "event " + (i + 1) + " of the key arrives in its place: " + order);
        }
        await().untilAsserted(() -> assertEquals(0L, QuarkusTransaction.requiringNew().call(() ->
                ((Number) em.createNativeQuery("SELECT count(*) FROM outbox_message WHERE message_key = ?1 AND sent_at IS NULL")
                        .setParameter(1, key).getSingleResult()).longValue()), "every row is marked sent"));
        // Sent on commit: rows in flight, acknowledged but not yet written down, must not be selected and
        // sent again by the relay's rounds.
        assertEquals(total, kafka.readToEnd(ServicekitTestResources.WIDGET_TOPIC).stream()
                .filter(r -> key.equals(r.key())).count(), "each event sent once (first count: " + records.get() + ")");
        assertTrue(sentOnCommit() - onCommitBefore >= total, "sent on commit, not by the relay: "
                + (sentOnCommit() - onCommitBefore) + " of " + total);
    }

    @Test
    void aTransactionsEventsAreWrittenWithItsStateChangeInTheOrderPublished() {
        // A transaction's rows are written together as it commits: with its other writes, in publish order.
        String key = "k-together-" + UUID.randomUUID();
        String other = key + "-other";
        knownTopic(ServicekitTestResources.WIDGET_TOPIC);
        UUID widget = UUID.randomUUID();
        List<UUID> ids = QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> published = new ArrayList<>();
            published.add(outbox.publish(ServicekitTestResources.WIDGET_TOPIC, key, "io.callstream.test.counter", Map.of("n", 1)));
            em.createNativeQuery("INSERT INTO widget (id, name, color, priority) VALUES (?1, ?2, 'RED', 0)")
                    .setParameter(1, widget).setParameter(2, key).executeUpdate();
            published.add(outbox.publish(ServicekitTestResources.WIDGET_TOPIC, other, "io.callstream.test.counter", Map.of("n", 1)));
            published.add(outbox.publish(ServicekitTestResources.WIDGET_TOPIC, key, "io.callstream.test.counter", Map.of("n", 2)));
            published.add(outbox.publish(ServicekitTestResources.WIDGET_TOPIC, key, "io.callstream.test.counter", Map.of("n", 3)));
            return published;
        });

        @SuppressWarnings("unchecked")
        List<Object> inSeqOrder = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT id FROM outbox_message WHERE message_key IN (?1, ?2) ORDER BY seq", UUID.class)
                .setParameter(1, key).setParameter(2, other).getResultList());
        assertEquals(ids, inSeqOrder, "one row per event, numbered in the order published");
        List<Integer> order = await().atMost(Duration.ofSeconds(30)).until(() -> kafka.readToEnd(ServicekitTestResources.WIDGET_TOPIC)
                .stream().filter(r -> key.equals(r.key()))
                .map(r -> ((Number) Json.read(r.value(), Map.class).get("n")).intValue()).toList(), seen -> seen.size() >= 3);
        assertEquals(List.of(1, 2, 3), order);
        kafka.awaitEventId(ServicekitTestResources.WIDGET_TOPIC, ids.get(1).toString());
    }

    @Test
    void aBulkChangesThousandsOfEventsAreAllWrittenInPublishOrder() {
        // written several hundred a statement: the pieces keep the order across their boundaries
        String key = "k-bulk-" + UUID.randomUUID();
        int events = 1_201;
        List<UUID> ids = QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> published = new ArrayList<>();
            for (int i = 1; i <= events; i++) {
                published.add(outbox.publish(ServicekitTestResources.WIDGET_TOPIC, key, "io.callstream.test.counter", Map.of("n", i)));
            }
            return published;
        });
        @SuppressWarnings("unchecked")
        List<Object> inSeqOrder = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT id FROM outbox_message WHERE message_key = ?1 ORDER BY seq", UUID.class).setParameter(1, key).getResultList());
        assertEquals(ids, inSeqOrder);
        kafka.awaitEventId(ServicekitTestResources.WIDGET_TOPIC, ids.get(events - 1).toString());
    }

    @Test
    void afterAFailedSendOnCommitTheRelayTakesOverInOrderThenSendingOnCommitResumes() throws Exception {
        String topic = "servicekit.test.outage-" + UUID.randomUUID();
        String key = "k-outage";
        TestInfrastructure.get().createTopics(List.of(topic));
        UUID first = publishCounter(topic, key, 1); // a topic not sent to before goes through the relay
        await().untilAsserted(() -> assertNotNull(sentAt(first)));
        double onCommitBefore = sentOnCommit();
        double failuresBefore = counter("callstream.outbox.send.failures");

        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", TestInfrastructure.get().kafkaBootstrapServers()))) {
            admin.deleteTopics(List.of(topic)).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(topic));
            publishCounter(topic, key, 2); // sent on commit, refused: the broker has no such topic now
            await().atMost(Duration.ofSeconds(30)).until(() -> counter("callstream.outbox.send.failures") > failuresBefore);
            publishCounter(topic, key, 3); // after the failure: left to the relay, whose sends fail too
            UUID third = lastIdOf(key);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertNotNull(lastError(third), "the relay tried"));

            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 3, (short) 1)))
                        .all().get(10, java.util.concurrent.TimeUnit.SECONDS);
                return true;
            });
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertNotNull(sentAt(lastIdOf(key))));
        publishCounter(topic, key, 4); // the relay caught up: sent on commit again
        await().atMost(Duration.ofSeconds(30)).until(() -> sentOnCommit() > onCommitBefore);

        List<Integer> order = await().atMost(Duration.ofSeconds(30)).until(() -> kafka.readToEnd(topic).stream()
                .filter(r -> key.equals(r.key()))
                .map(r -> ((Number) Json.read(r.value(), Map.class).get("n")).intValue()).toList(), seen -> seen.size() >= 3);
        // The recreated topic lost event 1; 2, 3 and 4 arrive once each, in the order they were written.
        assertEquals(List.of(2, 3, 4), order);
    }

    private UUID publishCounter(String topic, String key, int n) {
        return QuarkusTransaction.requiringNew().call(() -> outbox.publish(topic, key, "io.callstream.test.counter", Map.of("n", n)));
    }

    private UUID lastIdOf(String key) {
        return QuarkusTransaction.requiringNew().call(() -> (UUID) em.createNativeQuery(
                "SELECT id FROM outbox_message WHERE message_key = ?1 ORDER BY seq DESC LIMIT 1", UUID.class)
                .setParameter(1, key).getSingleResult());
    }

    private String lastError(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            OutboxMessage m = OutboxMessage.findById(id);
            return m == null ? null : m.lastError;
        });
    }

    /** Sends one event to {@code topic} and waits until it is marked sent: later events go out on commit. */
    private void knownTopic(String topic) {
        UUID id = publishCounter(topic, "k-warm", 0);
        await().untilAsserted(() -> assertNotNull(sentAt(id)));
    }

    private double sentOnCommit() {
        return counter("callstream.outbox.sent.on-commit");
    }

    private double counter(String name) {
        return registry.counter(name).count();
    }

    @Test
    void sentRowsPastTheirRetentionArePurgedInRoundsAndYoungerOnesKept() {
        String key = "retention-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < 7; i++) {
                row(key, "old-sent", "now() - interval '3 hours'");
            }
            row(key, "young-sent", "now() - interval '10 minutes'");
        });

        long purged = relay.purgeSent(Instant.now().minus(Duration.ofHours(2)), 3); // rounds of 3, 3, 1

        assertTrue(purged >= 7, "purged " + purged);
        @SuppressWarnings("unchecked")
        List<String> left = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT type FROM outbox_message WHERE message_key = ?1 ORDER BY type").setParameter(1, key).getResultList());
        assertEquals(List.of("young-sent"), left); // (an unsent row has no sent_at: the relay's, never purged)
    }

    /** An outbox row of {@code type} for {@code key}, sent at the SQL expression {@code sentAt}. */
    private void row(String key, String type, String sentAt) {
        em.createNativeQuery("INSERT INTO outbox_message (id, topic, message_key, type, source, occurred_at, payload, sent_at)"
                        + " VALUES (?1, 'callstream.test.retention', ?2, ?3, '/test', now() - interval '4 hours', '{}', " + sentAt + ")")
                .setParameter(1, UUID.randomUUID()).setParameter(2, key).setParameter(3, type).executeUpdate();
    }
    @Test
    void oversizedEventIsRefusedWhenWrittenNotWhenSent() {
        assertThrows(IllegalArgumentException.class, () -> QuarkusTransaction.requiringNew().run(() ->
                outbox.publish(ServicekitTestResources.WIDGET_TOPIC, "k-big", "io.callstream.test.noise",
                        Map.of("blob", "x".repeat(1_000_000)))));
    }

    private Instant sentAt(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            OutboxMessage m = OutboxMessage.findById(id);
            return m == null ? null : m.sentAt;
        });
    }

    private static CloudEvent readWithCloudEventsSdk(String topic, String subject) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.get().kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, CloudEvent> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new CloudEventDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<CloudEvent> seen = new ArrayList<>();
            return await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                return seen.stream().filter(e -> subject.equals(e.getSubject())).findFirst().orElse(null);
            }, e -> e != null);
        }
    }
}
