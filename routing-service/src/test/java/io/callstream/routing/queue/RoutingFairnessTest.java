package io.callstream.routing.queue;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.HangupParty;
import io.callstream.routing.PeerServices;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fairness over a long run: one group, eight agents at one priority and two at a better one who go
 * not ready part of the time, a few hundred calls. The test plays the gateway (answers every offer;
 * the agent's leg and the call end at once or some calls later) and agent-service (after each call the
 * agent is READY again, since now). Every single assignment must go to the agent the test knows to be
 * READY and free with the best priority and, within it, the oldest READY-since. Calls are sent one at a
 * time, each once routing's view has every earlier change (agent events and call events travel on
 * different topics, read by three consumer threads), so the right answer is known at every step.
 * The test's choices are seeded (printed; -Dfairness.seed repeats them).
 */
@QuarkusTest
class RoutingFairnessTest {
    private static final int CALLS = 250;
    private static final int NORMAL = 8;
    private static final int BETTER = 2;

    @Inject
    EntityManager em;

    private PeerServices peers;
    private Instant lastReady = Instant.EPOCH;
    private int commandsRead;

    /** The test's knowledge of one agent, kept from what it told routing. */
    private static final class Agent {
        final String id;
        final int priority;
        boolean ready;
        Instant readySince;
        String call;       // the call it is on, or null when free
        int endsAfter;     // the assignment after which that call ends

        Agent(String id, int priority) {
            this.id = id;
            this.priority = priority;
        }

        @Override
        public String toString() {
            return id + "(p" + priority + (ready ? ", ready since " + readySince : ", not ready") + (call == null ? "" : ", on " + call) + ")";
        }
    }

    @Test
    void everyAssignmentGoesToTheBestPriorityThenTheLongestIdle() {
        long seed = Long.getLong("fairness.seed", System.nanoTime());
        System.out.println("[fairness] seed " + seed + " (-Dfairness.seed=" + seed + " repeats it)");
        Random random = new Random(seed);
        peers = new PeerServices(em);
        commandsRead = 0;
        String g = PeerServices.id("fair");
        peers.group(g, 1);
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < NORMAL + BETTER; i++) {
            Agent a = new Agent(PeerServices.id(i < NORMAL ? "n" : "b"), i < NORMAL ? 2 : 1);
            agents.add(a);
            peers.agent(a.id, String.valueOf(27000 + i), new SkillAssignment(g, a.priority));
        }
        // ready since different moments in the past, in an order that is not the agents' ids' order
        List<Agent> shuffled = new ArrayList<>(agents);
        Collections.shuffle(shuffled, random);
        Instant past = Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.MICROS);
        for (int i = 0; i < shuffled.size(); i++) {
            ready(shuffled.get(i), past.plusSeconds(i * 10L));
        }

        int toNormal = 0, priorityOverIdle = 0;
        for (int n = 0; n < CALLS; n++) {
            // calls held longer end now: the agent is back, READY since now
            for (Agent a : agents) {
                if (a.call != null && a.endsAfter <= n) {
                    endCall(a);
                    ready(a, now());
                }
            }
            // the better agents come and go: ready about a third of the time
            for (Agent a : agents) {
                if (a.priority == 1 && a.call == null) {
                    if (a.ready && random.nextInt(2) == 0) {
                        notReady(a);
                    } else if (!a.ready && random.nextInt(4) == 0) {
                        ready(a, now());
                    }
                }
            }
            // now and then a normal agent takes a break and is back: idle from now on
            Agent pause = agents.get(random.nextInt(NORMAL));
            if (pause.ready && pause.call == null && random.nextInt(10) == 0) {
                notReady(pause);
                ready(pause, now());
            }

            List<Agent> free = agents.stream().filter(a -> a.ready && a.call == null).toList();
            int best = free.stream().mapToInt(a -> a.priority).min().orElseThrow();
            Agent expected = free.stream().filter(a -> a.priority == best)
                    .min(Comparator.comparing((Agent a) -> a.readySince)).orElseThrow();

            String call = "fc-" + g + "-" + n;
            peers.transfer(call, g, 0, 300, null);
            ConnectAgent offer = offerOf(call);
            assertEquals(expected.id, offer.agentId(), "assignment " + n + " (seed " + seed + "): free agents were " + free);

            if (expected.priority == 2) {
                toNormal++;
            } else if (free.stream().anyMatch(a -> a.priority == 2 && a.readySince.isBefore(expected.readySince))) {
                priorityOverIdle++;
            }
            expected.call = call;
            expected.endsAfter = random.nextInt(5) == 0 ? n + 1 + random.nextInt(3) : n + 1;
            peers.kafka().send(Topics.CALL_EVENTS, AgentConnected.TYPE, call, new AgentConnected(call, offer.commandId(),
                    offer.agentId(), offer.endpoint(), offer.endpoint() + "-1"));
            if (expected.endsAfter == n + 1) {
                endCall(expected);
                ready(expected, now());
            }
        }
        System.out.printf("[fairness] %d assignments: %d to the normal priority, %d to the better one over a longer idle agent%n",
                CALLS, toNormal, priorityOverIdle);
        assertTrue(toNormal >= CALLS / 5, "the normal agents' order was exercised: " + toNormal);
        assertTrue(priorityOverIdle >= CALLS / 10, "priority beat idle time often: " + priorityOverIdle);
    }

    /** The gateway: the agent's leg ends, then the call. */
    private void endCall(Agent a) {
        peers.kafka().send(Topics.CALL_EVENTS, BridgeEnded.TYPE, a.call, new BridgeEnded(a.call, "cmd", a.id, "PJSIP/x",
                HangupParty.AGENT, 1000));
        peers.kafka().send(Topics.CALL_EVENTS, CallEnded.TYPE, a.call, new CallEnded(a.call, 16, "Normal Clearing",
                HangupParty.CALLER));
        a.call = null;
    }

    /** agent-service: READY since {@code at}; waits until routing's view has it and the agent holds no call. */
    private void ready(Agent a, Instant at) {
        peers.sendState(a.id, AgentState.READY, at);
        peers.awaitView("SELECT 1 FROM agent_view WHERE agent_id = ?1 AND state = 'READY' AND ready_since = ?2"
                + " AND active_calls = 0 AND reserved_call IS NULL AND endpoint IS NOT NULL", a.id, Timestamp.from(at));
        a.ready = true;
        a.readySince = at;
    }

    private void notReady(Agent a) {
        peers.state(a.id, AgentState.NOT_READY, now());
        a.ready = false;
    }

    /** A moment after every one given before, so no two agents are READY since the same microsecond. */
    private Instant now() {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MICROS);
        lastReady = t.isAfter(lastReady) ? t : lastReady.plus(1, ChronoUnit.MICROS);
        return lastReady;
    }

    /** The connect-agent command routing sent for {@code callId}, read from where the last look stopped. */
    private ConnectAgent offerOf(String callId) {
        AtomicReference<ConnectAgent> found = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
            List<ConsumerRecord<String, byte[]>> records = peers.kafka().readToEndCached(Topics.CALL_COMMANDS);
            for (; commandsRead < records.size(); commandsRead++) {
                ConsumerRecord<String, byte[]> r = records.get(commandsRead);
                if (callId.equals(r.key()) && ConnectAgent.TYPE.equals(KafkaEvents.header(r, "ce_type"))) {
                    found.set(Json.read(r.value(), ConnectAgent.class));
                }
            }
            return found.get() != null;
        });
        return found.get();
    }
}
