package io.callstream.routing.queue;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.AgentRole;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.contracts.agent.SkillGroupChanged;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DialFailureReason;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many calls and agents with overlapping skill groups at once, the consumer threads and the queue clock
 * assigning concurrently against one database (what several replicas do), while the test plays the
 * gateway — answering, not answering, callers hanging up while it rings, agents' calls ending — and
 * agents going not ready and ready at random. Checked on what routing commands: never an agent offered
 * a call while it holds an offer or a call, never one call offered twice at once, every call connected
 * or gone with a reason. The test's own choices are seeded (printed; -Dstress.seed repeats them).
 */
@QuarkusTest
class RoutingStressTest {
    private static final int AGENTS = 30;
    private static final int GROUPS = 5;
    private static final int CALLS = 200;
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;

    @Test
    void noDoubleAssignmentAndEveryCallEndsWithAReason() {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        System.out.println("[stress] seed " + seed + " (-Dstress.seed=" + seed + " repeats it)");
        Random random = new Random(seed);
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<String> groups = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            String id = "stress-" + run + "-" + g;
            groups.add(id);
            kafka.send(Topics.AGENT_EVENTS, SkillGroupChanged.TYPE, id, new SkillGroupChanged(id, id, 1, null, false));
        }
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            String agent = "sa-" + run + "-" + i;
            agents.add(agent);
            List<SkillAssignment> skills = new ArrayList<>();
            Set<String> taken = new HashSet<>();
            for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
                String g = groups.get(random.nextInt(GROUPS));
                if (taken.add(g)) {
                    skills.add(new SkillAssignment(g, 1 + random.nextInt(5)));
                }
            }
            kafka.send(Topics.AGENT_EVENTS, AgentProfileChanged.TYPE, agent, new AgentProfileChanged(agent, "S" + i, "Stress " + i,
                    null, String.valueOf(30000 + i), "PJSIP/" + (30000 + i), AgentRole.AGENT, skills, false));
            state(agent, AgentState.READY);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> readyInView(run) == AGENTS);

        List<String> calls = new ArrayList<>();
        for (int c = 0; c < CALLS; c++) {
            String call = "sc-" + run + "-" + c;
            calls.add(call);
            kafka.send(Topics.IVR_EVENTS, TransferRequested.TYPE, call, new TransferRequested(call, "s", "agent",
                    groups.get(random.nextInt(GROUPS)), random.nextInt(3), 120, null, null, "139" + c, "4001", Map.of(), List.of()));
        }

        // the gateway and the agents, played from what routing commands
        Map<String, String> busyWith = new HashMap<>();       // agent -> call offered to it or on with it
        Map<String, String> offeredTo = new HashMap<>();      // call -> agent its phone rings for now
        Set<String> onCall = new HashSet<>();                 // calls connected, agent leg not ended yet
        Set<String> hungUp = new HashSet<>();
        List<String> violations = new ArrayList<>();
        Set<String> seenCommands = new HashSet<>();
        List<String[]> toEnd = new ArrayList<>();             // {call, agent} connected calls, ended a little later
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline && resolved(calls) < CALLS) {
            for (ConsumerRecord<String, byte[]> r : kafka.readToEndCached(Topics.CALL_COMMANDS)) {
                if (!r.key().startsWith("sc-" + run) || !ConnectAgent.TYPE.equals(KafkaEvents.header(r, "ce_type"))
                        || !seenCommands.add(KafkaEvents.header(r, "ce_id"))) {
                    continue;
                }
                ConnectAgent c = Json.read(r.value(), ConnectAgent.class);
                if (busyWith.containsKey(c.agentId())) {
                    violations.add(c.agentId() + " offered " + c.callId() + " while it has " + busyWith.get(c.agentId()));
                }
                if (offeredTo.containsKey(c.callId()) || onCall.contains(c.callId())) {
                    violations.add(c.callId() + " offered to " + c.agentId() + " while it rings for " + offeredTo.get(c.callId()));
                }
                if (hungUp.contains(c.callId())) {
                    violations.add(c.callId() + " offered to " + c.agentId() + " after the caller hung up");
                }
                int roll = random.nextInt(10);
                if (roll < 6) {            // answers
                    busyWith.put(c.agentId(), c.callId());
                    onCall.add(c.callId());
                    kafka.send(Topics.CALL_EVENTS, AgentConnected.TYPE, c.callId(), new AgentConnected(c.callId(), c.commandId(),
                            c.agentId(), c.endpoint(), c.endpoint() + "-1"));
                    toEnd.add(new String[]{c.callId(), c.agentId()});
                } else if (roll < 9) {     // does not answer, or is busy
                    kafka.send(Topics.CALL_EVENTS, DialFailed.TYPE, c.callId(), new DialFailed(c.callId(), c.commandId(),
                            c.agentId(), c.endpoint(), roll == 8 ? DialFailureReason.BUSY : DialFailureReason.NO_ANSWER));
                } else {                   // the caller hangs up while it rings
                    hungUp.add(c.callId());
                    kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, c.callId(), new CallEnded(c.callId(), 16, "Normal Clearing",
                            HangupParty.CALLER));
                }
            }
            // connected calls end after a while: the agent is free again
            for (int i = toEnd.size() - 1; i >= 0; i--) {
                if (random.nextInt(3) == 0) {
                    String[] e = toEnd.remove(i);
                    busyWith.remove(e[1]);
                    onCall.remove(e[0]);
                    kafka.send(Topics.CALL_EVENTS, BridgeEnded.TYPE, e[0], new BridgeEnded(e[0], "cmd", e[1], "PJSIP/x",
                            HangupParty.AGENT, 1000));
                }
            }
            // agents go not ready and back at random
            if (random.nextInt(4) == 0) {
                String agent = agents.get(random.nextInt(AGENTS));
                state(agent, AgentState.NOT_READY);
                state(agent, AgentState.READY);
            }
        }
        assertTrue(violations.isEmpty(), violations.size() + " violations: " + violations);
        assertEquals(CALLS, resolved(calls), "every call connected or left the queue with a reason");
        long withoutReason = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM queue_entry WHERE call_id LIKE ?1 AND state = 'ENDED' AND exit_reason IS NULL"
                        + " AND connected_agent IS NULL").setParameter(1, "sc-" + run + "-%").getSingleResult()).longValue());
        assertEquals(0, withoutReason);
        System.out.printf("[stress] %d calls, %d offers, %d connected%n", CALLS, seenCommands.size(),
                kafka.readToEndCached(Topics.ROUTING_EVENTS).stream().filter(r -> r.key().startsWith("sc-" + run)
                        && CallConnected.TYPE.equals(KafkaEvents.header(r, "ce_type"))).count());
    }

    private void state(String agent, AgentState state) {
        kafka.send(Topics.AGENT_EVENTS, AgentStateChanged.TYPE, agent, new AgentStateChanged(agent, state, null,
                AgentState.OFFLINE, AgentStateCause.AGENT_REQUEST, null, null, null, false, Instant.now()));
    }

    private long readyInView(String run) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM agent_view WHERE agent_id LIKE ?1 AND state = 'READY' AND endpoint IS NOT NULL")
                .setParameter(1, "sa-" + run + "-%").getSingleResult()).longValue());
    }

    /** Calls that were connected or left the queue, as routing published. */
    private long resolved(List<String> calls) {
        Set<String> mine = new HashSet<>(calls);
        Set<String> done = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : kafka.readToEndCached(Topics.ROUTING_EVENTS)) {
            String type = KafkaEvents.header(r, "ce_type");
            if (mine.contains(r.key()) && (CallConnected.TYPE.equals(type) || QueueExited.TYPE.equals(type))) {
                done.add(r.key());
            }
        }
        return done.size();
    }
}
