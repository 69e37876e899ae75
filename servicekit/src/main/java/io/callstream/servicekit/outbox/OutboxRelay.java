package io.callstream.servicekit.outbox;

import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.servicekit.config.KafkaClientProperties;
import io.callstream.servicekit.config.ServicekitConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends outbox rows to Kafka in {@code seq} order and marks them sent. It runs on one thread per
 * process, woken after every commit that wrote events and every poll interval (which picks up what a
 * crashed process committed but never sent). Across replicas a PostgreSQL advisory lock lets one relay
 * send at a time, so events keep their order. Delivery is at least once: a crash between the broker's
 * ack and the update resends, and consumers drop the duplicate by event id.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Arbitrary, fixed: the advisory lock key of "the outbox relay" in any Callstream database. */
    private static final long RELAY_LOCK = 0x43616c6c4f7574L;

    private final DataSource dataSource;
    private final ServicekitConfig config;
    private final String bootstrapServers;
    private final Counter sent;
    private final Counter failed;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private ScheduledExecutorService thread;
    private KafkaProducer<String, byte[]> producer;

    OutboxRelay(DataSource dataSource, ServicekitConfig config, MeterRegistry registry,
                @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.dataSource = dataSource;
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.sent = registry.counter("callstream.outbox.sent");
        this.failed = registry.counter("callstream.outbox.send.failures");
    }

    void start(@Observes StartupEvent ignored) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "outbox-relay"));
        long every = config.outbox().pollInterval().toMillis();
        thread.scheduleWithFixedDelay(this::relayQuietly, 0, every, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::purgeSentQuietly, 1, 10, TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (thread != null) {
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
            try (PreparedStatement q = c.prepareStatement("WITH relay AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(?) AS locked)"
                    + " SELECT relay.locked, m.id, m.topic, m.message_key, m.type, m.source, m.occurred_at, m.payload"
                    + " FROM relay LEFT JOIN LATERAL (SELECT * FROM outbox_message WHERE relay.locked AND sent_at IS NULL"
                    + " ORDER BY seq LIMIT ?) m ON true ORDER BY m.seq")) {
                q.setLong(1, RELAY_LOCK);
                q.setInt(2, config.outbox().batchSize());
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
            if (!errors.isEmpty()) {
                failed.increment(errors.size());
                LOG.warnf("outbox: %d of %d events not sent, will retry: %s", errors.size(), envelopes.size(),
                        errors.values().iterator().next());
                return 0;
            }
            return done.size();
        }
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
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection c = dataSource.getConnection();
                     PreparedStatement d = c.prepareStatement("DELETE FROM outbox_message WHERE sent_at < ?")) {
                    d.setTimestamp(1, Timestamp.from(Instant.now().minus(config.outbox().retention())));
                    d.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (Exception e) {
            LOG.warnf("outbox: purging sent rows failed: %s", e.toString());
        }
    }

    private KafkaProducer<String, byte[]> producer() {
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
