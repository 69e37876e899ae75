package io.callstream.servicekit.webhook;

import io.callstream.servicekit.testapp.SubscriberSecrets;
import io.callstream.servicekit.webhook.WebhookDelivery.Status;
import io.callstream.servicekit.webhook.WebhookReceiver.Received;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionalException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.callstream.servicekit.testapp.SubscriberSecrets.BILLING_SECRET;
import static io.callstream.servicekit.testapp.SubscriberSecrets.CRM;
import static io.callstream.servicekit.testapp.SubscriberSecrets.CRM_SECRET;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks against a real local receiver, with the test settings: 3 tries, 200 ms initial backoff,
 * 2 s timeout, 127.0.0.1 allowlisted.
 */
@QuarkusTest
class WebhooksTest {
    private static final String EVENT = "io.callstream.test.call-record";
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final long INITIAL_BACKOFF_MS = 200;

    @Inject
    Webhooks webhooks;
    @Inject
    EntityManager em;
    @Inject
    WebhookDispatcher dispatcher;
    @Inject
    MeterRegistry registry;

    private WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void deliveredOnceSignedWithTheSubscribersSecret() {
        byte[] body = "{\"callId\":\"c-1\",\"caller\":\"Zoë Ångström\",\"durationSeconds\":42}"
                .getBytes(StandardCharsets.UTF_8);
        double deliveredBefore = count("callstream.webhooks.delivered");
        UUID id = enqueue(CRM, receiver.url("/hooks/calls"), body);

        Received r = receiver.awaitRequests(1).get(0);
        assertEquals("POST", r.method());
        assertEquals("/hooks/calls", r.path());
        assertArrayEquals(body, r.body(), "the body byte for byte");
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals(id.toString(), r.header("Callstream-Delivery"));
        assertEquals(EVENT, r.header("Callstream-Event"));
        long sentAt = Long.parseLong(r.header("Callstream-Timestamp"));
        assertTrue(Math.abs(Instant.now().getEpochSecond() - sentAt) < 60, "timestamped at send time");
        String signature = r.header("Callstream-Signature");
        assertEquals(WebhookSignature.sign(CRM_SECRET, sentAt, body), signature);
        assertTrue(WebhookSignature.verify(CRM_SECRET, r.header("Callstream-Timestamp"), signature, r.body(),
                TOLERANCE, Instant.now()));
        assertFalse(WebhookSignature.verify(BILLING_SECRET, r.header("Callstream-Timestamp"), signature, r.body(),
                TOLERANCE, Instant.now()), "another subscriber's secret does not verify");

        WebhookDelivery d = awaitStatus(id, Status.DELIVERED);
        assertEquals(1, d.attempts);
        assertEquals(200, d.lastStatus);
        assertNull(d.lastError);
        assertNotNull(d.deliveredAt);
        assertEquals(1, receiver.received().size(), "sent once");
        assertTrue(count("callstream.webhooks.delivered") >= deliveredBefore + 1);
    }

    @Test
    void failedTriesAreRetriedWithGrowingBackoffUntilDelivered() {
        receiver.thenAnswer(WebhookReceiver.status(503), WebhookReceiver.status(503));
        byte[] body = "{\"n\":2}".getBytes(StandardCharsets.UTF_8);
        UUID id = enqueue(CRM, receiver.url("/hooks"), body);

        WebhookDelivery d = awaitStatus(id, Status.DELIVERED);
        assertEquals(3, d.attempts);
        assertEquals(200, d.lastStatus);
        List<Received> tries = receiver.received();
        assertEquals(3, tries.size());
        for (Received r : tries) {
            assertEquals(id.toString(), r.header("Callstream-Delivery"), "one delivery id on every try");
            assertTrue(WebhookSignature.verify(CRM_SECRET, r.header("Callstream-Timestamp"),
                    r.header("Callstream-Signature"), r.body(), TOLERANCE, Instant.now()), "every try is signed");
        }
        // Waits are 200 ms then 400 ms, each ±20%: the lower bounds cannot be undercut, however slow the machine.
        long first = millisBetween(tries.get(0), tries.get(1));
        long second = millisBetween(tries.get(1), tries.get(2));
        assertTrue(first >= INITIAL_BACKOFF_MS * 0.8, "first wait " + first + " ms");
        assertTrue(second >= 2 * INITIAL_BACKOFF_MS * 0.8, "second wait " + second + " ms, doubled");
    }

    @Test
    void givesUpAfterMaxAttempts() {
        receiver.otherwise(WebhookReceiver.status(500));
        double failedBefore = count("callstream.webhooks.failed");
        UUID id = enqueue(CRM, receiver.url("/hooks"), "{}".getBytes(StandardCharsets.UTF_8));

        WebhookDelivery d = awaitStatus(id, Status.FAILED);
        assertEquals(3, d.attempts);
        assertEquals(500, d.lastStatus);
        assertEquals("HTTP 500", d.lastError);
        assertNull(d.deliveredAt);
        assertEquals(3, receiver.received().size(), "max-attempts tries, no more");
        assertTrue(count("callstream.webhooks.failed") >= failedBefore + 1);
    }

    @Test
    void redirectsAreNotFollowed() {
        receiver.otherwise(WebhookReceiver.redirectTo("/elsewhere"));
        UUID id = enqueue(CRM, receiver.url("/hooks"), "{}".getBytes(StandardCharsets.UTF_8));

        WebhookDelivery d = awaitStatus(id, Status.FAILED);
        assertEquals(302, d.lastStatus);
        assertTrue(d.lastError.contains("redirects are not followed"), d.lastError);
        assertTrue(receiver.received().stream().allMatch(r -> r.path().equals("/hooks")), "never went to /elsewhere");
    }

    @Test
    void aTryThatTimesOutIsRetried() {
        receiver.thenAnswer(WebhookReceiver.hang());
        UUID id = enqueue(CRM, receiver.url("/slow"), "{}".getBytes(StandardCharsets.UTF_8));

        WebhookDelivery d = awaitStatus(id, Status.DELIVERED);
        assertEquals(2, d.attempts, "the first try timed out");
        assertEquals(2, receiver.received().size());
    }

    @Test
    void unreachableReceiverIsRetriedThenFailed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        UUID id = enqueue(CRM, "http://127.0.0.1:" + closedPort + "/hooks", "{}".getBytes(StandardCharsets.UTF_8));

        WebhookDelivery d = awaitStatus(id, Status.FAILED);
        assertEquals(3, d.attempts);
        assertNull(d.lastStatus, "no response at all");
        assertTrue(d.lastError.startsWith("could not connect"), d.lastError);
    }

    @Test
    void rolledBackTransactionQueuesAndSendsNothing() {
        AtomicReference<UUID> rolledBack = new AtomicReference<>();
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            rolledBack.set(webhooks.enqueue(CRM, receiver.url("/rolled-back"), EVENT, "{}".getBytes(StandardCharsets.UTF_8)));
            throw new IllegalStateException("the state change failed");
        }));
        UUID marker = enqueue(CRM, receiver.url("/marker"), "{}".getBytes(StandardCharsets.UTF_8));

        awaitStatus(marker, Status.DELIVERED); // the dispatcher is running
        assertNull(delivery(rolledBack.get()), "no row, so nothing can ever be sent");
        assertTrue(receiver.received().stream().noneMatch(r -> r.path().equals("/rolled-back")));
    }

    @Test
    void enqueueNeedsTheCallersTransaction() {
        assertThrows(TransactionalException.class,
                () -> webhooks.enqueue(CRM, receiver.url("/x"), EVENT, "{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void subscriberWithoutSecretFailsAndIsNeverSentUnsigned() {
        UUID id = enqueue("nobody", receiver.url("/hooks"), "{}".getBytes(StandardCharsets.UTF_8));

        WebhookDelivery d = awaitStatus(id, Status.FAILED);
        assertTrue(d.lastError.contains("no signing secret for subscriber nobody"), d.lastError);
        assertNull(d.lastStatus);
        assertTrue(receiver.received().isEmpty(), "never sent");
    }

    @Test
    void forbiddenUrlsAreRefusedWhenQueued() {
        assertRefused("http://169.254.169.254/latest/meta-data/", "cloud metadata");
        assertRefused("http://10.0.0.7/hooks", "private range");
        assertRefused("http://[::1]:8080/hooks", "loopback");
        assertRefused("ftp://crm.example.com/hooks", "only http and https");
        assertRefused("http://${host}/hooks", "webhook URL refused");
    }

    @Test
    void urlRefusedAtSendTimeFailsAtOnceUnsent() {
        // A row queued while the allowlist still let 10.1.2.3 through (or a name whose DNS now answers with a
        // private address): the check before each try refuses it, and it is not retried.
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO webhook_delivery (id, subscriber, url, event_type, body) VALUES (?1, ?2, ?3, ?4, '{}')")
                .setParameter(1, id).setParameter(2, CRM).setParameter(3, "http://10.1.2.3/hooks")
                .setParameter(4, EVENT).executeUpdate());

        WebhookDelivery d = awaitStatus(id, Status.FAILED);
        assertEquals(1, d.attempts, "refused, not retried");
        assertTrue(d.lastError.contains("10.1.2.3 is in a private range"), d.lastError);
    }

    @Test
    void deliveredRowsPastTheirRetentionArePurgedInRoundsAndOthersKept() {
        String subscriber = "retention-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < 7; i++) {
                delivery(subscriber, "DELIVERED", "now() - interval '8 days'");
            }
            delivery(subscriber, "DELIVERED", "now() - interval '6 days'");
            delivery(subscriber, "FAILED", null);
        });

        long purged = dispatcher.purgeDelivered(Instant.now().minus(Duration.ofDays(7)), 3); // rounds of 3, 3, 1

        assertTrue(purged >= 7, "purged " + purged);
        @SuppressWarnings("unchecked")
        List<String> left = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT status FROM webhook_delivery WHERE subscriber = ?1 ORDER BY status").setParameter(1, subscriber).getResultList());
        assertEquals(List.of("DELIVERED", "FAILED"), left);
    }

    /** A delivery row in {@code status}, delivered at the SQL expression {@code deliveredAt}, never due again. */
    private void delivery(String subscriber, String status, String deliveredAt) {
        em.createNativeQuery("INSERT INTO webhook_delivery (id, subscriber, url, event_type, body, status, next_attempt_at, delivered_at)"
                        + " VALUES (?1, ?2, 'http://127.0.0.1:9/none', ?3, '{}', ?4, now() + interval '1 day', "
                        + (deliveredAt == null ? "NULL" : deliveredAt) + ")")
                .setParameter(1, UUID.randomUUID()).setParameter(2, subscriber).setParameter(3, EVENT).setParameter(4, status)
                .executeUpdate();
    }
    @Test
    void deliveryClaimedByAProcessThatDiedIsSentOnceItsLeaseExpires() {
        // What a dispatcher that crashed mid-send leaves: a PENDING row whose lease has run out.
        UUID id = UUID.randomUUID();
        byte[] body = "{\"n\":6}".getBytes(StandardCharsets.UTF_8);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO webhook_delivery (id, subscriber, url, event_type, body, attempts, next_attempt_at)"
                                + " VALUES (?1, ?2, ?3, ?4, ?5, 1, now() - interval '1 second')")
                .setParameter(1, id).setParameter(2, SubscriberSecrets.BILLING).setParameter(3, receiver.url("/crashed"))
                .setParameter(4, EVENT).setParameter(5, new String(body, StandardCharsets.UTF_8)).executeUpdate());

        WebhookDelivery d = awaitStatus(id, Status.DELIVERED);
        assertEquals(2, d.attempts);
        Received r = receiver.received().get(0);
        assertTrue(WebhookSignature.verify(BILLING_SECRET, r.header("Callstream-Timestamp"),
                r.header("Callstream-Signature"), r.body(), TOLERANCE, Instant.now()));
    }

    private void assertRefused(String url, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuarkusTransaction.requiringNew()
                .run(() -> webhooks.enqueue(CRM, url, EVENT, "{}".getBytes(StandardCharsets.UTF_8))), url);
        assertTrue(e.getMessage().contains(why), url + ": " + e.getMessage());
    }

    private UUID enqueue(String subscriber, String url, byte[] body) {
        return QuarkusTransaction.requiringNew().call(() -> webhooks.enqueue(subscriber, url, EVENT, body));
    }

    private WebhookDelivery delivery(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> WebhookDelivery.findById(id));
    }

    private WebhookDelivery awaitStatus(UUID id, Status status) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> delivery(id), d -> d != null && d.status == status);
    }

    private double count(String counter) {
        return registry.counter(counter).count();
    }

    private static long millisBetween(Received earlier, Received later) {
        return (later.arrivedNanos() - earlier.arrivedNanos()) / 1_000_000;
    }
}
