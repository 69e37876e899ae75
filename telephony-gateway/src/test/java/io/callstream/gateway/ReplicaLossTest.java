package io.callstream.gateway;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.gateway.domain.CallRegistry;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A replica that dies leaves its calls in the registry and stops heart-beating; the replica that is
 * still alive ends those calls. The dead replica is what it leaves in PostgreSQL: its rows.
 */
@QuarkusTest
class ReplicaLossTest {
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    DataSource dataSource;

    @Inject
    CallRegistry registry;

    @Test
    void callsOfAReplicaThatStoppedHeartbeatingAreEndedOnceAndOthersAreLeftAlone() throws SQLException {
        String dead = "dead-" + UUID.randomUUID();
        String alive = "alive-" + UUID.randomUUID();
        List<String> orphans = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        String kept = UUID.randomUUID().toString();
        sql("INSERT INTO gateway_replica (replica_id, last_seen) VALUES (?, now() - interval '1 hour')", dead);
        sql("INSERT INTO gateway_replica (replica_id, last_seen) VALUES (?, now() + interval '1 hour')", alive);
        for (String callId : orphans) {
            call(callId, dead);
        }
        call(kept, alive);

        registry.reapLostReplicas(); // the scheduled round may get there first: either way, once
        for (String callId : orphans) {
            CallEnded ended = Json.read(kafka.awaitRecord(Topics.CALL_EVENTS, r -> callId.equals(r.key())
                    && CallEnded.TYPE.equals(KafkaEvents.header(r, CloudEventsKafka.TYPE))).value(), CallEnded.class);
            assertEquals(CallRegistry.REPLICA_LOST_CAUSE, ended.cause());
            assertEquals(HangupParty.SYSTEM, ended.hungUpBy());
        }
        assertEquals(0, registry.reapLostReplicas(), "reaped once: the rows are gone");
        assertEquals(1, count("SELECT count(*) FROM live_call WHERE call_id = ?", kept), "a live replica's call stays");
        assertEquals(0, count("SELECT count(*) FROM gateway_replica WHERE replica_id = ?", dead), "the dead replica is forgotten");
        for (String callId : orphans) {
            assertEquals(1, kafka.readToEnd(Topics.CALL_EVENTS).stream().filter(r -> callId.equals(r.key())
                    && CallEnded.TYPE.equals(KafkaEvents.header(r, CloudEventsKafka.TYPE))).count(), "exactly one CallEnded");
        }
        sql("DELETE FROM live_call WHERE call_id = ?", kept);
        sql("DELETE FROM gateway_replica WHERE replica_id = ?", alive);
    }

    private void call(String callId, String replica) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO live_call (call_id, replica_id, direction, channel, unique_id, started_at)"
                        + " VALUES (?, ?, 'INBOUND', 'PJSIP/trunk-1', ?, now())")) {
            st.setString(1, callId);
            st.setString(2, replica);
            st.setString(3, "1.0." + callId);
            st.executeUpdate();
        }
    }

    private void sql(String sql, String arg) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            st.executeUpdate();
        }
    }

    private long count(String sql, String arg) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
