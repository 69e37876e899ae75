package io.callstream.gateway.domain;

import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.HangupParty;
import io.callstream.gateway.config.GatewayConfig;
import io.callstream.gateway.messaging.CallEventPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's database: which replica holds which call, and which replicas are alive. When a
 * replica stops heart-beating (crash, kill, lost node), any other replica ends the calls it held —
 * their AGI sockets are gone, so the switch has taken them back — by publishing CallEnded.
 */
@ApplicationScoped
public class CallRegistry {
    private static final Logger LOG = Logger.getLogger(CallRegistry.class);
    /** Q.850 41, temporary failure: the replica holding the call disappeared. */
    public static final int REPLICA_LOST_CAUSE = 41;

    private final DataSource dataSource;
    private final GatewayConfig config;
    private final CallEventPublisher publisher;
    private ScheduledExecutorService timer;
    /** Registry writes leave the FastAGI and Kafka threads: a slow or absent database must not delay a call. */
    private final java.util.concurrent.ThreadPoolExecutor writer = new java.util.concurrent.ThreadPoolExecutor(1, 1,
            0, TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(200_000),
            r -> new Thread(r, "gateway-registry-writer"), new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());

    CallRegistry(DataSource dataSource, GatewayConfig config, CallEventPublisher publisher) {
        this.dataSource = dataSource;
        this.config = config;
        this.publisher = publisher;
    }

    void start(@Observes StartupEvent ignored) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "gateway-registry"));
        long every = config.registry().heartbeatInterval().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeatAndReap, 0, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (timer != null) {
            timer.shutdownNow();
        }
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        run("DELETE FROM gateway_replica WHERE replica_id = ?", config.replicaId());
    }

    public void register(LiveCall call) {
        writer.execute(() -> run("INSERT INTO live_call (call_id, replica_id, direction, channel, unique_id, started_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING",
                call.callId, config.replicaId(), call.direction.name(), call.channel, call.uniqueId,
                Timestamp.from(call.startedAt)));
    }

    public void unregister(LiveCall call) {
        writer.execute(() -> run("DELETE FROM live_call WHERE call_id = ?", call.callId));
    }

    /** Ends the calls of replicas that stopped heart-beating; returns how many. */
    public int reapLostReplicas() {
        List<String> ended = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement reap = c.prepareStatement(
                     "DELETE FROM live_call l WHERE l.replica_id <> ? AND NOT EXISTS (SELECT 1 FROM gateway_replica r"
                             + " WHERE r.replica_id = l.replica_id AND r.last_seen > ?) RETURNING call_id")) {
            reap.setString(1, config.replicaId());
            reap.setTimestamp(2, cutoff());
            try (ResultSet rs = reap.executeQuery()) {
                while (rs.next()) {
                    ended.add(rs.getString(1));
                }
            }
            try (PreparedStatement forget = c.prepareStatement("DELETE FROM gateway_replica WHERE last_seen <= ?")) {
                forget.setTimestamp(1, cutoff());
                forget.executeUpdate();
            }
        } catch (SQLException e) {
            LOG.warnf("reaping calls of lost replicas failed: %s", e.getMessage());
            return 0;
        }
        for (String callId : ended) {
            publisher.publish(new CallEnded(callId, REPLICA_LOST_CAUSE, "gateway replica lost", HangupParty.SYSTEM));
        }
        if (!ended.isEmpty()) {
            LOG.warnf("ended %d calls held by gateway replicas that stopped", ended.size());
        }
        return ended.size();
    }

    private void heartbeatAndReap() {
        run("INSERT INTO gateway_replica (replica_id, last_seen) VALUES (?, now())"
                + " ON CONFLICT (replica_id) DO UPDATE SET last_seen = now()", config.replicaId());
        reapLostReplicas();
    }

    private Timestamp cutoff() {
        return new Timestamp(System.currentTimeMillis() - config.registry().replicaTimeout().toMillis());
    }

    private void run(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            st.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("call registry: %s", e.getMessage());
        }
    }
}
