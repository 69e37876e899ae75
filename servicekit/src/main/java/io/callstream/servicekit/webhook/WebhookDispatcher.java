package io.callstream.servicekit.webhook;

import io.callstream.servicekit.config.ServicekitConfig;
import io.callstream.servicekit.net.UrlPolicy;
import io.callstream.servicekit.tx.BoundedDelete;
import io.callstream.servicekit.net.UrlPolicy.ForbiddenAddressException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends due webhook deliveries, signed at send time, and records how each try ended. One thread per
 * process does all database work, woken after every commit that queued deliveries, when a try ends,
 * when a retry falls due, and every poll interval (which picks up what a crashed process left).
 *
 * <p>No transaction is open during HTTP: a short one claims due rows by pushing their
 * {@code next_attempt_at} a lease ahead ({@code FOR UPDATE SKIP LOCKED}, so replicas never claim the same
 * row), the JDK client sends them concurrently, and another short one records the outcomes, each only
 * if the row still carries the lease this process set. A process that dies mid-send lets the lease
 * expire and the row is tried again: delivery is at least once, and receivers drop duplicates by the
 * {@code Callstream-Delivery} id.
 */
@ApplicationScoped
public class WebhookDispatcher {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final int MAX_ERROR_LENGTH = 1000;

    private static final String CLAIM = "UPDATE webhook_delivery SET next_attempt_at = now() + ? * interval '1 millisecond'"
            + " WHERE id IN (SELECT id FROM webhook_delivery WHERE status = 'PENDING' AND next_attempt_at <= now()"
            + " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)"
            + " RETURNING id, subscriber, url, event_type, body, attempts, next_attempt_at";
    private static final String DELIVERED = "UPDATE webhook_delivery SET status = 'DELIVERED', attempts = attempts + 1,"
            + " last_status = ?, last_error = NULL, delivered_at = now() WHERE id = ? AND status <> 'DELIVERED'";
    private static final String RETRY = "UPDATE webhook_delivery SET attempts = ?, last_status = ?, last_error = ?,"
            + " next_attempt_at = now() + ? * interval '1 millisecond'"
            + " WHERE id = ? AND status = 'PENDING' AND next_attempt_at = ?";
    private static final String FAILED = "UPDATE webhook_delivery SET status = 'FAILED', attempts = ?, last_status = ?,"
            + " last_error = ? WHERE id = ? AND status = 'PENDING' AND next_attempt_at = ?";

    /** A row claimed for one try; {@code lease} is the next_attempt_at this process set, its claim ticket. */
    private record Claim(UUID id, String subscriber, String url, String eventType, byte[] body, int attempts,
                         OffsetDateTime lease) {
    }

    /** A subscriber's secret, or why there is none; {@code permanent}: none will come, so do not retry. */
    private record Lookup(String secret, String error, boolean permanent) {
    }

    /** A claimed row and its subscriber's secret. */
    private record Ready(Claim claim, Lookup secret) {
    }

    /** How one try ended: delivered when {@code error} is null; {@code permanent} failures are not retried. */
    private record Outcome(Claim claim, Integer status, String error, boolean permanent) {
    }

    private final DataSource dataSource;
    private final ServicekitConfig.Webhooks config;
    private final Instance<WebhookSecrets> secrets;
    private final UrlPolicy policy;
    private final HttpClient client;
    private final Counter delivered;
    private final Counter retried;
    private final Counter failed;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final Object idle = new Object();
    private volatile boolean stopping;
    private volatile ScheduledExecutorService thread;
    private ExecutorService dns;
    private WebhookSecrets secretsBean; // only the dispatcher thread touches it

    WebhookDispatcher(DataSource dataSource, ServicekitConfig config, Instance<WebhookSecrets> secrets,
                      MeterRegistry registry) {
        this.dataSource = dataSource;
        this.config = config.webhooks();
        this.secrets = secrets;
        check(this.config);
        this.policy = new UrlPolicy(this.config.allowlist().orElse(List.of()));
        // HTTP/1.1: no cleartext HTTP/2 upgrade dance with simple receivers; redirects are failures, not
        // followed (a redirect could point anywhere, the policy only vouched for this URL).
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(this.config.timeout()).build();
        this.delivered = registry.counter("callstream.webhooks.delivered");
        this.retried = registry.counter("callstream.webhooks.retried");
        this.failed = registry.counter("callstream.webhooks.failed");
    }

    /** The URL policy of {@code callstream.webhooks.allowlist}, shared with {@link Webhooks}. */
    UrlPolicy policy() {
        return policy;
    }

    void start(@Observes StartupEvent ignored) {
        dns = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "webhook-dns");
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "webhook-dispatcher"));
        t.scheduleWithFixedDelay(this::roundQuietly, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        t.scheduleWithFixedDelay(this::purgeDeliveredQuietly, 1, 10, TimeUnit.MINUTES);
        thread = t;
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopping = true;
        ScheduledExecutorService t = thread;
        if (t == null) {
            return;
        }
        // Let tries in flight end and record them; any still out afterwards is retried once its lease expires.
        long deadline = System.nanoTime() + config.timeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
        synchronized (idle) {
            long left;
            while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            t.execute(this::roundQuietly); // records; claims nothing while stopping
        } catch (RejectedExecutionException alreadyStopped) {
            // nothing to record then
        }
        t.shutdown();
        try {
            t.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dns.shutdownNow();
    }

    /** Asks for a round now; rounds never overlap, and wakes that arrive during one coalesce. */
    public void wake() {
        ScheduledExecutorService t = thread;
        if (t != null && wakeQueued.compareAndSet(false, true)) {
            try {
                t.execute(() -> {
                    wakeQueued.set(false);
                    roundQuietly();
                });
            } catch (RejectedExecutionException shuttingDown) {
                wakeQueued.set(false);
            }
        }
    }

    private void roundQuietly() {
        try {
            round();
        } catch (Exception e) {
            LOG.warnf("webhook dispatch round failed, retrying in %s: %s", config.pollInterval(), e.toString());
        }
    }

    /** Records the tries that ended, then claims as many due rows as there are free places and sends them. */
    private void round() {
        recordOutcomes();
        int free = config.batchSize() - inFlight.get();
        if (stopping || free <= 0) {
            return; // a try that ends wakes the next round
        }
        List<Ready> ready = QuarkusTransaction.requiringNew().call(() -> claim(free));
        for (Ready r : ready) {
            Lookup secret = r.secret();
            if (secret.secret() != null) {
                send(r.claim(), secret.secret());
            } else {
                outcomes.add(new Outcome(r.claim(), null, "not sent: " + secret.error(), secret.permanent()));
            }
        }
        if (ready.size() == free || !outcomes.isEmpty()) {
            wake(); // a full batch (more may be due), or refusals to record
        }
    }

    // ---------------------------------------------------------------- claiming

    /** Inside one short transaction: claims up to {@code limit} due rows and looks up their secrets. */
    private List<Ready> claim(int limit) throws SQLException {
        List<Claim> claims = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(CLAIM)) {
            q.setLong(1, config.lease().toMillis());
            q.setInt(2, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    claims.add(new Claim(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5).getBytes(StandardCharsets.UTF_8), rs.getInt(6),
                            rs.getObject(7, OffsetDateTime.class)));
                }
            }
        }
        // The secrets bean runs in this transaction, so it may read the database. One lookup per subscriber.
        Map<String, Lookup> secretsBySubscriber = new HashMap<>();
        List<Ready> ready = new ArrayList<>(claims.size());
        for (Claim claim : claims) {
            ready.add(new Ready(claim, secretsBySubscriber.computeIfAbsent(claim.subscriber(), this::lookUp)));
        }
        return ready;
    }

    private Lookup lookUp(String subscriber) {
        if (secretsBean == null) {
            if (secrets.isUnsatisfied()) {
                return new Lookup(null, "this service has no WebhookSecrets bean, so it cannot sign webhooks", true);
            }
            if (secrets.isAmbiguous()) {
                return new Lookup(null, "this service has more than one WebhookSecrets bean", true);
            }
            secretsBean = secrets.get(); // once: a @Dependent bean got from Instance lives as long as we do
        }
        try {
            Optional<String> secret = secretsBean.secret(subscriber);
            if (secret == null || secret.isEmpty() || secret.get().isBlank()) {
                // Never sent unsigned.
                return new Lookup(null, "no signing secret for subscriber " + subscriber, true);
            }
            return new Lookup(secret.get(), null, false);
        } catch (RuntimeException e) {
            return new Lookup(null, "looking up the secret failed: " + e, false);
        }
    }

    // ---------------------------------------------------------------- sending

    private void send(Claim claim, String secret) {
        inFlight.incrementAndGet();
        AtomicReference<CompletableFuture<?>> exchange = new AtomicReference<>();
        CompletableFuture<HttpResponse<Void>> attempt;
        try {
            attempt = CompletableFuture.supplyAsync(() -> target(claim.url()), dns).thenCompose(uri -> {
                CompletableFuture<HttpResponse<Void>> f =
                        client.sendAsync(request(claim, uri, secret), HttpResponse.BodyHandlers.discarding());
                exchange.set(f);
                return f;
            });
        } catch (RejectedExecutionException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        // The request timeout ends at the response headers; this bounds DNS and the body too, well inside the lease.
        attempt.orTimeout(config.timeout().toMillis() * 2, TimeUnit.MILLISECONDS).whenComplete((response, error) -> {
            CompletableFuture<?> f = exchange.get();
            if (error != null && f != null) {
                f.cancel(true);
            }
            outcomes.add(outcome(claim, response, error));
            inFlight.decrementAndGet();
            if (stopping) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
            wake();
        });
    }

    /** Checks the URL again, after DNS: a public name may point at a private address (DNS rebinding). */
    private URI target(String url) {
        try {
            URI uri = new URI(url);
            policy.resolveAllowed(uri);
            return uri;
        } catch (URISyntaxException | ForbiddenAddressException | UnknownHostException e) {
            throw new CompletionException(e);
        }
    }

    /** The POST of one try: timestamp and signature are made now, so every retry carries fresh ones. */
    private HttpRequest request(Claim claim, URI uri, String secret) {
        long now = Instant.now().getEpochSecond();
        return HttpRequest.newBuilder(uri)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Callstream-Webhooks")
                .header(Webhooks.DELIVERY_HEADER, claim.id().toString())
                .header(Webhooks.EVENT_HEADER, claim.eventType())
                .header(Webhooks.TIMESTAMP_HEADER, Long.toString(now))
                .header(Webhooks.SIGNATURE_HEADER, WebhookSignature.sign(secret, now, claim.body()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(claim.body()))
                .build();
    }

    private Outcome outcome(Claim claim, HttpResponse<Void> response, Throwable error) {
        if (error == null) {
            int status = response.statusCode();
            if (status / 100 == 2) {
                return new Outcome(claim, status, null, false);
            }
            String why = status / 100 == 3 ? "HTTP " + status + " (redirects are not followed)" : "HTTP " + status;
            return new Outcome(claim, status, why, false);
        }
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ForbiddenAddressException || e instanceof URISyntaxException) {
            return new Outcome(claim, null, "not sent: URL refused: " + e.getMessage(), true);
        }
        if (e instanceof HttpTimeoutException) {
            return new Outcome(claim, null, "no response within " + config.timeout() + " (" + e.getMessage() + ")", false);
        }
        if (e instanceof TimeoutException) {
            return new Outcome(claim, null, "not done within " + config.timeout().multipliedBy(2), false);
        }
        String what = e instanceof java.net.ConnectException ? "could not connect" : e.getClass().getSimpleName();
        return new Outcome(claim, null, e.getMessage() == null ? what : what + ": " + e.getMessage(), false);
    }

    // ---------------------------------------------------------------- recording

    /** Writes the outcomes gathered so far in one transaction and wakes a round when the soonest retry is due. */
    private void recordOutcomes() {
        if (outcomes.isEmpty()) {
            return;
        }
        List<Outcome> batch = new ArrayList<>();
        for (Outcome o = outcomes.poll(); o != null; o = outcomes.poll()) {
            batch.add(o);
        }
        long soonestRetryMs;
        try {
            soonestRetryMs = QuarkusTransaction.requiringNew().call(() -> recordBatch(batch));
        } catch (Exception e) {
            // Like a crash after sending: the leases expire and those deliveries are tried again.
            LOG.warnf("webhooks: recording %d outcome(s) failed, they will be retried after their lease: %s",
                    batch.size(), e.toString());
            return;
        }
        ScheduledExecutorService t = thread;
        if (soonestRetryMs < config.pollInterval().toMillis() && t != null) {
            try {
                t.schedule(this::wake, soonestRetryMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                // the next start's poll picks it up
            }
        }
    }

    /** @return milliseconds until the soonest retry scheduled here, or Long.MAX_VALUE */
    private long recordBatch(List<Outcome> batch) throws SQLException {
        List<Outcome> done = new ArrayList<>();
        List<Outcome> retries = new ArrayList<>();
        List<Outcome> failures = new ArrayList<>();
        long soonest = Long.MAX_VALUE;
        try (Connection c = dataSource.getConnection();
             PreparedStatement d = c.prepareStatement(DELIVERED);
             PreparedStatement r = c.prepareStatement(RETRY);
             PreparedStatement f = c.prepareStatement(FAILED)) {
            for (Outcome o : batch) {
                int attempts = o.claim().attempts() + 1;
                if (o.error() == null) {
                    d.setInt(1, o.status());
                    d.setObject(2, o.claim().id());
                    d.addBatch();
                    done.add(o);
                } else if (o.permanent() || attempts >= config.maxAttempts()) {
                    f.setInt(1, attempts);
                    setStatus(f, 2, o.status());
                    f.setString(3, shortened(o.error()));
                    f.setObject(4, o.claim().id());
                    f.setObject(5, o.claim().lease());
                    f.addBatch();
                    failures.add(o);
                } else {
                    long wait = backoffMillis(attempts, config.initialBackoff().toMillis(),
                            config.maxBackoff().toMillis(), ThreadLocalRandom.current().nextDouble());
                    r.setInt(1, attempts);
                    setStatus(r, 2, o.status());
                    r.setString(3, shortened(o.error()));
                    r.setLong(4, wait);
                    r.setObject(5, o.claim().id());
                    r.setObject(6, o.claim().lease());
                    r.addBatch();
                    retries.add(o);
                    soonest = Math.min(soonest, wait);
                }
            }
            int[] doneCounts = done.isEmpty() ? new int[0] : d.executeBatch();
            int[] retryCounts = retries.isEmpty() ? new int[0] : r.executeBatch();
            int[] failCounts = failures.isEmpty() ? new int[0] : f.executeBatch();
            // A row another dispatcher re-claimed meanwhile (its lease had expired) is left to that one.
            delivered.increment(updated(doneCounts));
            retried.increment(updated(retryCounts));
            failed.increment(updated(failCounts));
            for (int i = 0; i < retries.size(); i++) {
                Outcome o = retries.get(i);
                LOG.debugf("webhook %s to %s: attempt %d failed (%s), retrying", o.claim().id(), origin(o.claim().url()),
                        o.claim().attempts() + 1, o.error());
            }
            for (int i = 0; i < failures.size(); i++) {
                Outcome o = failures.get(i);
                if (failCounts[i] != 0) {
                    LOG.warnf("webhook %s (%s) to %s for subscriber %s failed for good, attempts %d: %s",
                            o.claim().id(), o.claim().eventType(), origin(o.claim().url()), o.claim().subscriber(),
                            o.claim().attempts() + 1, o.error());
                }
            }
        }
        return soonest;
    }

    /**
     * The wait after {@code attempts} failed tries: {@code initial * 2^(attempts-1)}, at most {@code max},
     * then ±20% jitter so that deliveries that failed together do not all come back together.
     *
     * @param random uniform in [0, 1)
     */
    static long backoffMillis(int attempts, long initialMs, long maxMs, double random) {
        double base = Math.min(initialMs * Math.pow(2, Math.max(0, attempts - 1)), maxMs);
        return Math.round(base * (0.8 + 0.4 * random));
    }

    private static void setStatus(PreparedStatement s, int index, Integer status) throws SQLException {
        if (status == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, status);
        }
    }

    private static int updated(int[] counts) {
        int n = 0;
        for (int count : counts) {
            // The driver may answer SUCCESS_NO_INFO (-2) for a batched statement: count it as done.
            n += count == 0 ? 0 : 1;
        }
        return n;
    }

    private static String shortened(String error) {
        String s = error.replace('\0', ' ');
        return s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH) + "…";
    }

    /** Scheme, host and port only: paths and queries of callback URLs may carry tokens, which logs must not. */
    private static String origin(String url) {
        try {
            URI u = new URI(url);
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (URISyntaxException e) {
            return "(an invalid URL)";
        }
    }

    // ---------------------------------------------------------------- housekeeping

    private void purgeDeliveredQuietly() {
        try {
            purgeDelivered(Instant.now().minus(config.retention()), BoundedDelete.ROWS_PER_ROUND);
        } catch (Exception e) {
            LOG.warnf("webhooks: purging delivered rows failed: %s", e.toString());
        }
    }

    /** Deletes rows delivered before {@code cutoff}, {@code perRound} a transaction; returns how many. */
    long purgeDelivered(Instant cutoff, int perRound) {
        return BoundedDelete.rounds(dataSource, perRound, "DELETE FROM webhook_delivery WHERE id IN (SELECT id FROM"
                + " webhook_delivery WHERE status = 'DELIVERED' AND delivered_at < ? LIMIT ?)", java.sql.Timestamp.from(cutoff));
    }

    private static void check(ServicekitConfig.Webhooks c) {
        if (c.maxAttempts() < 1) {
            throw new IllegalArgumentException("callstream.webhooks.max-attempts must be at least 1");
        }
        if (c.batchSize() < 1) {
            throw new IllegalArgumentException("callstream.webhooks.batch-size must be at least 1");
        }
        Map<String, Duration> positive = Map.of("initial-backoff", c.initialBackoff(), "max-backoff", c.maxBackoff(),
                "timeout", c.timeout(), "poll-interval", c.pollInterval(), "lease", c.lease(),
                "retention", c.retention());
        positive.forEach((key, value) -> {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("callstream.webhooks." + key + " must be positive");
            }
        });
        if (c.lease().compareTo(c.timeout().multipliedBy(2)) <= 0) {
            throw new IllegalArgumentException("callstream.webhooks.lease (" + c.lease() + ") must be longer than twice"
                    + " callstream.webhooks.timeout (" + c.timeout() + "), or a delivery still being sent is sent again");
        }
    }
}
