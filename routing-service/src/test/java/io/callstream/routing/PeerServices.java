package io.callstream.routing;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.AgentRole;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.contracts.agent.SkillGroupChanged;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The services around routing, played by a test over the real broker: agent-service (groups, agents,
 * states), the IVR (transfer requests); and what routing publishes, read back. Events of different
 * topics are not ordered with each other, so {@link #state} waits until routing's view has the change.
 */
public final class PeerServices {
    private final KafkaEvents kafka = KafkaEvents.shared();
    private final EntityManager em;

    public PeerServices(EntityManager em) {
        this.em = em;
    }

    public KafkaEvents kafka() {
        return kafka;
    }

    public static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public void group(String id, int receptionLimit) {
        kafka.send(Topics.AGENT_EVENTS, SkillGroupChanged.TYPE, id, new SkillGroupChanged(id, "Group " + id, receptionLimit,
                null, false));
    }

    public void agent(String agentId, String extension, SkillAssignment... skills) {
        kafka.send(Topics.AGENT_EVENTS, AgentProfileChanged.TYPE, agentId, new AgentProfileChanged(agentId, "S" + extension,
                "Agent " + extension, null, extension, "PJSIP/" + extension, AgentRole.AGENT, List.of(skills), false));
    }

    /** agent-service's state change, waiting until routing's view has the state (and the agent its endpoint). */
    public void state(String agentId, AgentState state, Instant at) {
        sendState(agentId, state, at);
        awaitView("SELECT 1 FROM agent_view WHERE agent_id = ?1 AND state = ?2 AND endpoint IS NOT NULL", agentId, state.name());
    }

    public void sendState(String agentId, AgentState state, Instant at) {
        kafka.send(Topics.AGENT_EVENTS, AgentStateChanged.TYPE, agentId, new AgentStateChanged(agentId, state, null,
                AgentState.OFFLINE, AgentStateCause.AGENT_REQUEST, null, null, null, false, at));
    }

    /** Waits until the SQL, with these parameters (?1, ?2, ...), finds a row in routing's database. */
    public void awaitView(String sql, Object... params) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> QuarkusTransaction.requiringNew().call(() -> {
                    var query = em.createNativeQuery(sql);
                    for (int i = 0; i < params.length; i++) {
                        query.setParameter(i + 1, params[i]);
                    }
                    return !query.getResultList().isEmpty();
                }));
    }

    public void transfer(String callId, String group, int priority, int timeoutSeconds, Integer maxQueueLength) {
        kafka.send(Topics.IVR_EVENTS, TransferRequested.TYPE, callId, new TransferRequested(callId, "s-" + callId, "agent",
                group, priority, timeoutSeconds, maxQueueLength, null, "13900001111", "4001", Map.of(), List.of()));
    }

    /** The first event of {@code type} keyed by {@code callId} on {@code topic}, once there. */
    public <T> T await(String topic, String callId, String type, Class<T> data) {
        ConsumerRecord<String, byte[]> r = kafka.awaitRecord(topic, rec -> callId.equals(rec.key())
                && type.equals(KafkaEvents.header(rec, "ce_type")));
        return Json.read(r.value(), data);
    }
}
