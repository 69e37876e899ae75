package io.callstream.servicekit.outbox;

import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.servicekit.config.KafkaClientProperties;
import io.callstream.servicekit.config.ServicekitConfig;
import io.callstream.servicekit.tx.AfterCommit;
import io.callstream.servicekit.tx.BoundedDelete;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets outbox rows to Kafka and marks them sent. Delivery is at least once: a crash between the broker's
 * ack and the update resends, and consumers drop the duplicate by event id.
 *
 * <p>With {@code callstream.outbox.send-on-commit} (the default) the committing thread hands its events
 * to the producer right after the commit ({@link SendOnCommit}); acknowledged rows are marked sent in
 * batches on this class's thread. The relay proper — a round every poll interval, on one thread per
 * process, one replica at a time under a PostgreSQL advisory lock, in {@code seq} order — then sends
 * only rows older than {@code resend-after} that no live process is sending: what a crashed process
 * committed but never sent. An event for a topic this process has not yet sent to, every event after a
 * failed send, and every event written while such rows are still unsent, goes through the relay instead
 * (woken after the commit, no age limit); sending on commit resumes once the relay has sent every row
 * left to it, so an event sent on commit never overtakes one of its key waiting for the relay.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Arbitrary, fixed: the advisory lock key of "the outbox relay" in any Callstream database. */
    private static final long RELAY_LOCK = 0x43616c6c4f7574L;
    /** Acknowledgements arriving within this many milliseconds are marked sent in one statement. */
    private static final long MARK_DELAY_MILLIS = 20;
    private static final int MARK_BATCH = 2000;

    private final DataSource dataSource;
    private final TransactionSynchronizationRegistry transactions;
    private final ServicekitConfig config;
    private final String bootstrapServers;
    private final Counter sent;
    private final Counter failed;
    private final Counter sentOnCommit;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** Rows handed to the producer on commit and not yet marked sent: the relay's rounds leave them alone. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Rows the broker acknowledged, to be marked sent. */
    private final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean markQueued = new AtomicBoolean();
    /** Topics the broker has acknowledged an event on: sending on commit never waits for a topic's metadata. */
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    /** Rows this process left to the relay (a topic not yet sent to, a failed send, or written meanwhile), until it sent them. */
    private final Set<String> relayed = ConcurrentHashMap.newKeySet();
    private final SendOnCommit onCommit = new SendOnCommit(this::sendCommitted, inFlight);
    /** Whether committed events go to the producer at once; off after a failed send until the relay caught up. */
    private volatile boolean direct;
    private ScheduledExecutorService thread;
    private ScheduledExecutorService retention;
    /** Created on first use, by the relay's thread or a committing one: hence volatile, and created under a lock. */
    private volatile KafkaProducer<String, byte[]> producer;

    OutboxRelay(DataSource dataSource, ServicekitConfig config, MeterRegistry registry,
                TransactionSynchronizationRegistry transactions,
                @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.sent = registry.counter("callstream.outbox.sent");
        this.failed = registry.counter("callstream.outbox.send.failures");
        this.sentOnCommit = registry.counter("callstream.outbox.sent.on-commit");
        this.direct = config.outbox().sendOnCommit();
    }

    void start(@Observes StartupEvent ignored) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "outbox-relay"));
        long every = config.outbox().pollInterval().toMillis();
        thread.scheduleWithFixedDelay(this::relayQuietly, 0, every, TimeUnit.MILLISECONDS);
        // not on the relay's thread: marking acknowledged rows must not wait for a purge
        retention = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outbox-retention");
            t.setDaemon(true);
            return t;
        });
        retention.scheduleWithFixedDelay(this::purgeSentQuietly, 1, 10, TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (retention != null) {
            retention.shutdownNow();
        }
        if (producer != null) {
            try {
                producer.flush(); // what was sent on commit is acknowledged, and marked below
            } catch (RuntimeException e) {
                LOG.warnf("outbox: flushing the producer at shutdown failed: %s", e.toString());
            }
        }
        if (thread != null) {
            thread.execute(this::markAcknowledgedQuietly);
            thread.shutdown();
            try {
                thread.awaitTermination(config.outbox().sendTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(config.outbox().sendTimeout());
        }
    }

    /**
     * Called by {@link Outbox} inside the writing transaction: whether the event will be sent when that
     * transaction commits. If not, the caller wakes the relay after the commit.
     */
    boolean enlist(TransactionSynchronizationRegistry transactions, OutboxMessage m, byte[] payload) {
        // Only while nothing is left to the relay: an event sent now must not overtake one of its key still
        // waiting there (the first events of a topic, or those after a failed send).
        if (direct && relayed.isEmpty() && knownTopics.contains(m.topic)
                && onCommit.enlist(transactions, m.topic, new EventEnvelope(m.id.toString(), m.type, m.source,
                m.occurredAt, m.key, payload))) {
            return true;
        }
        if (config.outbox().sendOnCommit()) {
            relayed.add(m.id.toString()); // sending on commit waits until the relay has sent this one
            AfterCommit.onRollback(transactions, () -> relayed.remove(m.id.toString()));
        }
        return false;
    }

    /** On the committing thread, in commit order per key: hands one event to the producer. */
    private void sendCommitted(String topic, EventEnvelope envelope) {
        String id = envelope.id();
        try {
            producer().send(CloudEventsKafka.toRecord(topic, envelope), (metadata, error) -> {
                if (error == null) {
                    acknowledged.add(id);
                    markSoon();
                } else {
                    sentOnCommitFailed(id, error);
                }
            });
        } catch (RuntimeException e) {
            sentOnCommitFailed(id, e);
        }
    }

    private void sentOnCommitFailed(String id, Throwable error) {
        failed.increment();
        direct = false;
        relayed.add(id);
        inFlight.remove(id);
        LOG.warnf("outbox: sending event %s on commit failed, the relay takes over until it has caught up: %s", id,
                error.toString());
        wake();
    }

    private void markSoon() {
        if (thread != null && markQueued.compareAndSet(false, true)) {
            try {
                thread.schedule(this::markAcknowledgedQuietly, MARK_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                markQueued.set(false);
            }
        }
    }

    /** Marks the acknowledged rows sent, in one statement; a failure leaves them for the next try. */
    private void markAcknowledgedQuietly() {
        markQueued.set(false);
        List<String> ids = new ArrayList<>();
        for (String id; ids.size() < MARK_BATCH && (id = acknowledged.poll()) != null; ) {
            ids.add(id);
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection c = dataSource.getConnection()) {
                    markSent(c, ids.stream().map(UUID::fromString).toList());
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            sent.increment(ids.size());
            sentOnCommit.increment(ids.size());
            ids.forEach(inFlight::remove);
        } catch (Exception e) {
            acknowledged.addAll(ids);
            LOG.warnf("outbox: marking %d acknowledged events sent failed, retrying: %s", ids.size(), e.toString());
        }
        if (!acknowledged.isEmpty()) {
            markSoon();
        }
    }

    /** Asks for a relay round now; rounds never overlap, and wakes that arrive during one coalesce. */
    public void wake() {
        if (thread != null && wakeQueued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    wakeQueued.set(false);
                    relayQuietly();
                });
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                wakeQueued.set(false);
            }
        }
    }

    private void relayQuietly() {
        try {
            int n;
            do {
                n = QuarkusTransaction.requiringNew().call(this::relayBatch);
            } while (n == config.outbox().batchSize());
            if (!direct && config.outbox().sendOnCommit() && relayed.isEmpty()) {
                direct = true; // everything left to the relay is sent: back to sending on commit
                LOG.info("outbox: the relay has caught up; sending on commit again");
            }
        } catch (Exception e) {
            LOG.warnf("outbox relay round failed, retrying in %s: %s", config.outbox().pollInterval(), e.toString());
        }
    }

    /** One round inside one transaction; returns how many rows it sent. */
    private int relayBatch() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<EventEnvelope> envelopes = new ArrayList<>();
            List<String> topics = new ArrayList<>();
            // One round trip: the advisory lock (taken once, in the CTE) and the unsent rows.
            boolean locked = false;
            // Sending on commit, rows younger than resend-after are being sent by the process that wrote them;
            // after a failed send (or with it off) the relay sends every unsent row not in flight here.
            boolean youngToo = !direct;
            try (PreparedStatement q = c.prepareStatement("WITH relay AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(?) AS locked)"
                    + " SELECT relay.locked, m.id, m.topic, m.message_key, m.type, m.source, m.occurred_at, m.payload"
                    + " FROM relay LEFT JOIN LATERAL (SELECT * FROM outbox_message WHERE relay.locked AND sent_at IS NULL"
                    + " AND (? OR occurred_at < ? OR id = ANY (?)) AND NOT (id = ANY (?))"
                    + " ORDER BY seq LIMIT ?) m ON true ORDER BY m.seq")) {
                q.setLong(1, RELAY_LOCK);
                q.setBoolean(2, youngToo);
                q.setTimestamp(3, Timestamp.from(Instant.now().minus(config.outbox().resendAfter())));
                q.setArray(4, uuids(c, relayed));
                q.setArray(5, uuids(c, inFlight));
                q.setInt(6, config.outbox().batchSize());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        locked = rs.getBoolean(1);
                        if (rs.getString(2) == null) {
                            continue; // locked, nothing to send; or not locked
                        }
                        topics.add(rs.getString(3));
                        envelopes.add(new EventEnvelope(rs.getString(2), rs.getString(5), rs.getString(6),
                                rs.getTimestamp(7).toInstant(), rs.getString(4),
                                rs.getString(8).getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }
            if (!locked) {
                return 0; // another replica is relaying; it will send our rows too
            }
            if (envelopes.isEmpty()) {
                return 0;
            }
            List<UUID> done = new ArrayList<>();
            Set<String> sentTopics = new java.util.HashSet<>();
            Map<UUID, String> errors = new HashMap<>();
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            KafkaProducer<String, byte[]> p = producer();
            for (int i = 0; i < envelopes.size(); i++) {
                try {
                    futures.add(p.send(CloudEventsKafka.toRecord(topics.get(i), envelopes.get(i))));
                } catch (RuntimeException e) {
                    futures.add(java.util.concurrent.CompletableFuture.failedFuture(e));
                }
            }
            long waitMs = config.outbox().sendTimeout().toMillis() * 2;
            for (int i = 0; i < futures.size(); i++) {
                UUID id = UUID.fromString(envelopes.get(i).id());
                try {
                    futures.get(i).get(waitMs, TimeUnit.MILLISECONDS);
                    done.add(id);
                    sentTopics.add(topics.get(i));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    errors.put(id, "interrupted");
                } catch (Exception e) {
                    Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                    errors.put(id, String.valueOf(cause));
                }
            }
            markSent(c, done);
            markFailed(c, errors);
            sent.increment(done.size());
            AfterCommit.run(transactions, () -> {
                done.forEach(id -> relayed.remove(id.toString()));
                knownTopics.addAll(sentTopics);
            });
            if (!errors.isEmpty()) {
                failed.increment(errors.size());
                LOG.warnf("outbox: %d of %d events not sent, will retry: %s", errors.size(), envelopes.size(),
                        errors.values().iterator().next());
                return 0;
            }
            return done.size();
        }
    }

    private static Array uuids(Connection c, Set<String> ids) throws SQLException {
        return c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray());
    }

    private static void markSent(Connection c, List<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement u = c.prepareStatement(
                "UPDATE outbox_message SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ANY (?)")) {
            Array array = c.createArrayOf("uuid", ids.toArray());
            u.setTimestamp(1, Timestamp.from(Instant.now()));
            u.setArray(2, array);
            u.executeUpdate();
        }
    }

    private static void markFailed(Connection c, Map<UUID, String> errors) throws SQLException {
        if (errors.isEmpty()) {
            return;
        }
        try (PreparedStatement u = c.prepareStatement(
                "UPDATE outbox_message SET attempts = attempts + 1, last_error = ? WHERE id = ?")) {
            for (Map.Entry<UUID, String> e : errors.entrySet()) {
                u.setString(1, e.getValue());
                u.setObject(2, e.getKey());
                u.addBatch();
            }
            u.executeBatch();
        }
    }

    private void purgeSentQuietly() {
        try {
            purgeSent(Instant.now().minus(config.outbox().retention()), BoundedDelete.ROWS_PER_ROUND);
        } catch (Exception e) {
            LOG.warnf("outbox: purging sent rows failed: %s", e.toString());
        }
    }

    /** Deletes rows sent before {@code cutoff}, {@code perRound} a transaction; returns how many. */
    long purgeSent(Instant cutoff, int perRound) {
        return BoundedDelete.rounds(dataSource, perRound, "DELETE FROM outbox_message WHERE id IN"
                + " (SELECT id FROM outbox_message WHERE sent_at < ? LIMIT ?)", Timestamp.from(cutoff));
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        return p != null ? p : createProducer();
    }

    private synchronized KafkaProducer<String, byte[]> createProducer() {
        if (producer == null) {
            int timeoutMs = (int) config.outbox().sendTimeout().toMillis();
            Map<String, Object> props = new HashMap<>(KafkaClientProperties.fromConfig(ProducerConfig.configNames()));
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "outbox-" + config.events().source().replace('/', '-'));
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }
}
