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
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DialFailureReason;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.MissReason;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.contracts.routing.QueuePositionChanged;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queues and assignment against real Kafka and PostgreSQL: the test plays agent-service (agents,
 * groups, states), the IVR (transfer requests) and the gateway (answers to connect-agent commands,
 * ends of calls), and reads what routing-service commands and publishes.
 */
@QuarkusTest
class RoutingTest {
    private final KafkaEvents kafka = KafkaEvents.shared();
    @jakarta.inject.Inject
    jakarta.persistence.EntityManager em;

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    void group(String id, int limit) {
        kafka.send(Topics.AGENT_EVENTS, SkillGroupChanged.TYPE, id, new SkillGroupChanged(id, "Group " + id, limit, null, false));
    }

    void agent(String agentId, String extension, SkillAssignment... skills) {
        kafka.send(Topics.AGENT_EVENTS, AgentProfileChanged.TYPE, agentId, new AgentProfileChanged(agentId, "S" + extension,
                "Agent " + extension, null, extension, "PJSIP/" + extension, AgentRole.AGENT, List.of(skills), false));
    }

    /**
     * agent-service's state change, and waits until routing-service's view has it: events of different
     * topics (agents, transfers) are not ordered with each other, so a transfer sent right after could
     * otherwise be handled first.
     */
    void state(String agentId, AgentState state, Instant at) {
        kafka.send(Topics.AGENT_EVENTS, AgentStateChanged.TYPE, agentId, new AgentStateChanged(agentId, state, null,
                AgentState.OFFLINE, AgentStateCause.AGENT_REQUEST, null, null, null, false, at));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew().call(() ->
                !em.createNativeQuery("SELECT 1 FROM agent_view WHERE agent_id = ?1 AND state = ?2 AND endpoint IS NOT NULL")
                        .setParameter(1, agentId).setParameter(2, state.name()).getResultList().isEmpty()));
    }

    void transfer(String callId, String group, int priority, int timeoutSeconds, Integer maxQueueLength) {
        kafka.send(Topics.IVR_EVENTS, TransferRequested.TYPE, callId, new TransferRequested(callId, "s-" + callId, "agent",
                group, priority, timeoutSeconds, maxQueueLength, null, "13900001111", "4001", Map.of("orderid", "A-17"),
                List.of(new KeyPress("orderNo", "Order number", "4711#", Instant.parse("2026-11-24T09:00:00Z")))));
    }

    <T> T await(String topic, String callId, String type, Class<T> data) {
        ConsumerRecord<String, byte[]> r = kafka.awaitRecord(topic, rec -> callId.equals(rec.key())
                && type.equals(KafkaEvents.header(rec, "ce_type")));
        return Json.read(r.value(), data);
    }

    <T> List<T> all(String topic, String callId, String type, Class<T> data) {
        return kafka.readToEnd(topic).stream().filter(rec -> callId.equals(rec.key())
                && type.equals(KafkaEvents.header(rec, "ce_type"))).map(rec -> Json.read(rec.value(), data)).toList();
    }

    /** A group (reception limit 1) and its one agent, logged in but not READY: {group, agent}. */
    String[] oneAgentNotReady(String name, String extension) {
        String g = id(name);
        String a = id("a");
        group(g, 1);
        agent(a, extension, new SkillAssignment(g, 1));
        state(a, AgentState.NOT_READY, Instant.now());
        return new String[]{g, a};
    }

    /** A group, its one agent logged in but not READY, and a caller queued for it. */
    record OneWaiting(String group, String agent, String call) {
    }

    OneWaiting oneCallerWaiting(String name, String extension) {
        String[] ga = oneAgentNotReady(name, extension);
        String g = ga[0], a = ga[1];
        String call = id("call");
        transfer(call, g, 0, 300, null);
        await(Topics.ROUTING_EVENTS, call, CallQueued.TYPE, CallQueued.class);
        return new OneWaiting(g, a, call);
    }

    /** A group, its agents a (priority 1) and b (priority 2) both READY, and a call offered to a. */
    record TwoAgents(String group, String a, String b, String call, ConnectAgent first) {
    }

    TwoAgents callOfferedToTheFirstOfTwo(String name, String extensionA, String extensionB) {
        String g = id(name);
        String a = id("a"), b = id("a");
        group(g, 1);
        agent(a, extensionA, new SkillAssignment(g, 1));
        agent(b, extensionB, new SkillAssignment(g, 2));
        state(a, AgentState.READY, Instant.now().minusSeconds(60));
        state(b, AgentState.READY, Instant.now().minusSeconds(30));
        String call = id("call");
        transfer(call, g, 0, 300, null);
        ConnectAgent first = await(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class);
        assertEquals(a, first.agentId());
        return new TwoAgents(g, a, b, call, first);
    }

    @Test
    void theCallGoesToTheHighestPriorityAgentThenTheLongestIdle() {
        String g = id("sales");
        String first = id("a"), second = id("a"), third = id("a");
        group(g, 1);
        Instant t0 = Instant.now().minusSeconds(600);
        agent(first, "2001", new SkillAssignment(g, 2));   // idle longest, but priority 2
        agent(second, "2002", new SkillAssignment(g, 1));  // priority 1, idle 5 minutes
        agent(third, "2003", new SkillAssignment(g, 1));   // priority 1, idle 10 minutes: the one
        state(first, AgentState.READY, t0.minusSeconds(600));
        state(second, AgentState.READY, t0.plusSeconds(300));
        state(third, AgentState.READY, t0);
        String call = id("call");
        transfer(call, g, 0, 300, null);

        CallQueued queued = await(Topics.ROUTING_EVENTS, call, CallQueued.TYPE, CallQueued.class);
        assertEquals(1, queued.position());
        assertEquals(0, queued.estimatedWaitSeconds(), "offered at once: no wait to estimate");
        ConnectAgent connect = await(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class);
        assertEquals(third, connect.agentId());
        assertEquals("PJSIP/2003", connect.endpoint());
        assertEquals("13900001111", connect.callerId());
        AgentOffered offered = await(Topics.ROUTING_EVENTS, call, AgentOffered.TYPE, AgentOffered.class);
        assertEquals(third, offered.agentId());
        assertEquals("A-17", offered.variables().get("orderid"));
        assertEquals("Order number", offered.keyTrail().get(0).label());

        kafka.send(Topics.CALL_EVENTS, AgentConnected.TYPE, call, new AgentConnected(call, connect.commandId(), third,
                "PJSIP/2003", "PJSIP/2003-0001"));
        CallConnected connected = await(Topics.ROUTING_EVENTS, call, CallConnected.TYPE, CallConnected.class);
        assertEquals(third, connected.agentId());
        assertEquals(g, connected.skillGroup());

        // the next call goes to the next best: the one on a call is at its reception limit
        String next = id("call");
        transfer(next, g, 0, 300, null);
        assertEquals(second, await(Topics.CALL_COMMANDS, next, ConnectAgent.TYPE, ConnectAgent.class).agentId());
    }

    @Test
    void anAgentWhoDoesNotAnswerIsReportedAndTheCallGoesToTheNextWithoutLosingItsPlace() {
        TwoAgents t = callOfferedToTheFirstOfTwo("support", "2101", "2102");
        String g = t.group(), a = t.a(), b = t.b(), call = t.call();
        ConnectAgent first = t.first();

        kafka.send(Topics.CALL_EVENTS, DialFailed.TYPE, call, new DialFailed(call, first.commandId(), a, "PJSIP/2101",
                DialFailureReason.NO_ANSWER));
        AgentMissed missed = await(Topics.ROUTING_EVENTS, call, AgentMissed.TYPE, AgentMissed.class);
        assertEquals(a, missed.agentId());
        assertEquals(MissReason.NO_ANSWER, missed.reason());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).size() == 2);
        ConnectAgent second = all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).get(1);
        assertEquals(b, second.agentId(), "the agent who missed is not offered the same call while another can take it");

        // b does not answer either: with no one else, the call goes back to a rather than wait for its timeout
        kafka.send(Topics.CALL_EVENTS, DialFailed.TYPE, call, new DialFailed(call, second.commandId(), b, "PJSIP/2102",
                DialFailureReason.BUSY));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).size() == 3);
        assertEquals(a, all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).get(2).agentId());
    }

    @Test
    void anOfferTheGatewayNeverAnswersIsGivenUpAndTheCallGoesToTheNextAgent() {
        TwoAgents t = callOfferedToTheFirstOfTwo("lost", "2151", "2152");
        String g = t.group(), a = t.a(), b = t.b(), call = t.call();
        ConnectAgent first = t.first();
        Instant deadline = QuarkusTransaction.requiringNew().call(() -> io.callstream.servicekit.tx.Columns.instant(em.createNativeQuery(
                "SELECT offer_expires_at FROM queue_entry WHERE call_id = ?1").setParameter(1, call).getSingleResult()));
        assertTrue(deadline.isAfter(Instant.now().plusSeconds(40)), "ring timeout 20 s + grace 30 s: " + deadline);

        // the gateway holding the call is gone and never answers: the deadline passes (moved, not waited for)
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "UPDATE queue_entry SET offer_expires_at = now() - interval '1 second' WHERE call_id = ?1")
                .setParameter(1, call).executeUpdate());
        AgentMissed missed = await(Topics.ROUTING_EVENTS, call, AgentMissed.TYPE, AgentMissed.class);
        assertEquals(a, missed.agentId());
        assertEquals(MissReason.FAILED, missed.reason());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).size() == 2);
        assertEquals(b, all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).get(1).agentId());

        // the lost gateway's answer, arriving after all, is not taken for the new offer's; b's no-answer
        // after it (same call: same partition, so handled after it) shows it was handled
        ConnectAgent second = all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).get(1);
        kafka.send(Topics.CALL_EVENTS, AgentConnected.TYPE, call, new AgentConnected(call, first.commandId(), a,
                "PJSIP/2151", "PJSIP/2151-0001"));
        kafka.send(Topics.CALL_EVENTS, DialFailed.TYPE, call, new DialFailed(call, second.commandId(), b, "PJSIP/2152",
                DialFailureReason.NO_ANSWER));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                all(Topics.ROUTING_EVENTS, call, AgentMissed.TYPE, AgentMissed.class).size() == 2);
        assertTrue(all(Topics.ROUTING_EVENTS, call, CallConnected.TYPE, CallConnected.class).isEmpty());
        assertEquals(0, ((Number) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT active_calls FROM agent_view WHERE agent_id = ?1").setParameter(1, a).getSingleResult())).intValue());
    }

    @Test
    void aCallPastItsQueueTimeoutLeavesWithTimeoutWhenItsAgentMissesAndATransferReadAfterTheHangUpIsNotQueued() {
        TwoAgents t = callOfferedToTheFirstOfTwo("late", "2161", "2162");
        String g = t.group(), a = t.a(), b = t.b(), call = t.call();
        ConnectAgent first = t.first();
        // its queue timeout passes while a's phone rings (moved, not waited for); a does not answer
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "UPDATE queue_entry SET timeout_at = now() - interval '1 second' WHERE call_id = ?1")
                .setParameter(1, call).executeUpdate());
        kafka.send(Topics.CALL_EVENTS, DialFailed.TYPE, call, new DialFailed(call, first.commandId(), a, "PJSIP/2161",
                DialFailureReason.NO_ANSWER));
        assertEquals(QueueExitReason.TIMEOUT, await(Topics.ROUTING_EVENTS, call, QueueExited.TYPE, QueueExited.class).reason());
        assertEquals(1, all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).size(),
                "not offered to b after its timeout");

        // the caller hung up before routing read the transfer (another topic, e.g. a partition taken over late)
        String gone = id("call");
        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, gone, new CallEnded(gone, 16, "Normal Clearing", HangupParty.CALLER));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew().call(() ->
                !em.createNativeQuery("SELECT 1 FROM ended_call WHERE call_id = ?1").setParameter(1, gone).getResultList().isEmpty()));
        transfer(gone, g, 0, 300, null);
        QueueExited exited = await(Topics.ROUTING_EVENTS, gone, QueueExited.TYPE, QueueExited.class);
        assertEquals(QueueExitReason.ABANDONED, exited.reason());
        assertTrue(all(Topics.CALL_COMMANDS, gone, ConnectAgent.TYPE, ConnectAgent.class).isEmpty(), "no agent rung for it");
        assertTrue(all(Topics.ROUTING_EVENTS, gone, CallQueued.TYPE, CallQueued.class).isEmpty(), "never queued");
    }

    @Test
    void aNewDatabaseAsksAgentServiceForEveryAgentOnceAndAnAdminCanAskAgain() {
        List<io.callstream.contracts.routing.AgentViewRequested> asked = requests();
        assertEquals(1, asked.stream().filter(r -> "new-database".equals(r.requestedBy())).count(),
                "the first start on this database asked once: " + asked);
        String admin = io.callstream.testkit.TestTokens.token("admin", "alice");
        io.restassured.RestAssured.given().auth().oauth2(admin).when().post("/api/v1/agent-view/refresh").then()
                .statusCode(202).body("requestedBy", org.hamcrest.Matchers.equalTo("alice"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                requests().stream().anyMatch(r -> "alice".equals(r.requestedBy())));
        io.restassured.RestAssured.given().auth().oauth2(io.callstream.testkit.TestTokens.token("qa", "quinn")).when()
                .post("/api/v1/agent-view/refresh").then().statusCode(403);
        io.restassured.RestAssured.given().when().post("/api/v1/agent-view/refresh").then().statusCode(401);
    }

    private List<io.callstream.contracts.routing.AgentViewRequested> requests() {
        return kafka.readToEnd(Topics.ROUTING_EVENTS).stream().filter(r -> io.callstream.contracts.routing.AgentViewRequested.KEY
                        .equals(r.key()) && io.callstream.contracts.routing.AgentViewRequested.TYPE.equals(KafkaEvents.header(r, "ce_type")))
                .map(r -> Json.read(r.value(), io.callstream.contracts.routing.AgentViewRequested.class)).toList();
    }

    @Test
    void aCallerWaitsForAnAgentKeepsAPositionAndIsServedWhenOneIsReady() {
        String g = id("renewals");
        String a = id("a");
        group(g, 1);
        agent(a, "2201", new SkillAssignment(g, 3));
        state(a, AgentState.NOT_READY, Instant.now()); // logged in, not ready: callers wait
        String one = id("call"), two = id("call");
        transfer(one, g, 0, 300, null);
        CallQueued first = await(Topics.ROUTING_EVENTS, one, CallQueued.TYPE, CallQueued.class);
        assertEquals(1, first.position());
        assertEquals(60, first.estimatedWaitSeconds(), "one agent logged in, no talk times yet: 60 s a place");
        transfer(two, g, 0, 300, null);
        CallQueued second = await(Topics.ROUTING_EVENTS, two, CallQueued.TYPE, CallQueued.class);
        assertEquals(2, second.position());
        assertEquals(120, second.estimatedWaitSeconds());

        state(a, AgentState.READY, Instant.now());
        assertEquals(a, await(Topics.CALL_COMMANDS, one, ConnectAgent.TYPE, ConnectAgent.class).agentId());
        QueuePositionChanged moved = await(Topics.ROUTING_EVENTS, two, QueuePositionChanged.TYPE, QueuePositionChanged.class);
        assertEquals(1, moved.position(), "the second caller moved up");
        assertEquals(60, moved.estimatedWaitSeconds());
        assertTrue(all(Topics.CALL_COMMANDS, two, ConnectAgent.TYPE, ConnectAgent.class).isEmpty(), "one agent, one call");
    }

    @jakarta.inject.Inject
    Queues queues;

    @Test
    void anAgentReadyWhileEveryCallIsLockedIsOfferedOneAfterThePositionPass() throws Exception {
        OneWaiting w = oneCallerWaiting("locked", "2311");
        String g = w.group(), a = w.agent(), call = w.call();

        // another transaction holds the group's waiting calls (as a position pass over a long queue does)
        java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("SELECT call_id FROM queue_entry WHERE skill_group = ?1 AND state = 'WAITING' FOR UPDATE")
                    .setParameter(1, g).getResultList();
            locked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        holder.start();
        assertTrue(locked.await(20, java.util.concurrent.TimeUnit.SECONDS));
        state(a, AgentState.READY, Instant.now()); // applied with its assignment round, which skipped the locked call
        assertTrue(all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).isEmpty());

        release.countDown();
        holder.join(20_000);
        // the pass is due, as a moved group's is, once the rows are free: marked before the holder has
        // committed, a pass could run while the rows were still held, skip them, and leave nothing to retry
        queues.markGroupsWithCallers();
        assertEquals(a, await(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).agentId(),
                "the assignment after the position pass");
    }

    @Test
    void aTransferThatFindsAnAgentFreeWhileAnotherCallerWaitsQueuesBehindIt() {
        String[] ga = oneAgentNotReady("behind", "2321");
        String g = ga[0], a = ga[1];
        state(a, AgentState.READY, Instant.now()); // no caller yet: the agent stays free
        // a caller already waiting whose assignment round has not run yet (written here as its transfer would be)
        String earlier = id("call");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("INSERT INTO queue_entry (call_id, skill_group, priority,"
                        + " state, enqueued_at, timeout_at, variables, key_trail, position) VALUES (?1, ?2, 0, 'WAITING', now(),"
                        + " now() + interval '5 minutes', '{}', '[]', 1)")
                .setParameter(1, earlier).setParameter(2, g).executeUpdate());
        String call = id("call");
        transfer(call, g, 0, 300, null);
        assertEquals(2, await(Topics.ROUTING_EVENTS, call, CallQueued.TYPE, CallQueued.class).position());
        assertEquals(a, await(Topics.CALL_COMMANDS, earlier, ConnectAgent.TYPE, ConnectAgent.class).agentId(),
                "the free agent goes to the caller who waited first");
        assertTrue(all(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).isEmpty(),
                "offered in the same transaction as the earlier caller, had it gone ahead");
    }

    @Test
    void aHigherPriorityCallGoesFirst() {
        String[] ga = oneAgentNotReady("vip", "2301");
        String g = ga[0], a = ga[1];
        String normal = id("call"), urgent = id("call");
        transfer(normal, g, 0, 300, null);
        await(Topics.ROUTING_EVENTS, normal, CallQueued.TYPE, CallQueued.class);
        transfer(urgent, g, 5, 300, null);
        assertEquals(1, await(Topics.ROUTING_EVENTS, urgent, CallQueued.TYPE, CallQueued.class).position());
        String alsoUrgent = id("call"), alsoNormal = id("call");
        transfer(alsoUrgent, g, 5, 300, null);
        assertEquals(2, await(Topics.ROUTING_EVENTS, alsoUrgent, CallQueued.TYPE, CallQueued.class).position(),
                "behind the urgent caller who came first, ahead of the normal one");
        transfer(alsoNormal, g, 0, 300, null);
        assertEquals(4, await(Topics.ROUTING_EVENTS, alsoNormal, CallQueued.TYPE, CallQueued.class).position());
        state(a, AgentState.READY, Instant.now());
        assertEquals(a, await(Topics.CALL_COMMANDS, urgent, ConnectAgent.TYPE, ConnectAgent.class).agentId());
    }

    @Test
    void noAgentLoggedInQueueFullTimeoutAndAbandonTakeTheirExits() {
        String empty = id("nobody");
        String call = id("call");
        transfer(call, empty, 0, 300, null);
        assertEquals(QueueExitReason.NO_AGENT, await(Topics.ROUTING_EVENTS, call, QueueExited.TYPE, QueueExited.class).reason());

        String g = id("busy");
        String a = id("a");
        group(g, 1);
        agent(a, "2401", new SkillAssignment(g, 1));
        state(a, AgentState.NOT_READY, Instant.now());
        String waiting = id("call"), full = id("call"), quick = id("call");
        transfer(waiting, g, 0, 300, 1);
        await(Topics.ROUTING_EVENTS, waiting, CallQueued.TYPE, CallQueued.class);
        transfer(full, g, 0, 300, 1);
        assertEquals(QueueExitReason.QUEUE_FULL, await(Topics.ROUTING_EVENTS, full, QueueExited.TYPE, QueueExited.class).reason());

        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, waiting, new CallEnded(waiting, 16, "Normal Clearing", HangupParty.CALLER));
        QueueExited abandoned = await(Topics.ROUTING_EVENTS, waiting, QueueExited.TYPE, QueueExited.class);
        assertEquals(QueueExitReason.ABANDONED, abandoned.reason());

        transfer(quick, g, 0, 1, null);
        QueueExited timedOut = await(Topics.ROUTING_EVENTS, quick, QueueExited.TYPE, QueueExited.class);
        assertEquals(QueueExitReason.TIMEOUT, timedOut.reason());
        assertTrue(timedOut.waitMillis() >= 1000, "after the transfer's queue timeout: " + timedOut.waitMillis());

        // a call offered to an agent (ringing, not answered yet) is still in the queue's length
        String ringing = id("ring");
        String r = id("a");
        group(ringing, 1);
        agent(r, "2402", new SkillAssignment(ringing, 1));
        state(r, AgentState.READY, Instant.now().minusSeconds(5));
        String offered = id("call"), over = id("call");
        transfer(offered, ringing, 0, 300, 1);
        assertEquals(r, await(Topics.CALL_COMMANDS, offered, ConnectAgent.TYPE, ConnectAgent.class).agentId());
        transfer(over, ringing, 0, 300, 1);
        assertEquals(QueueExitReason.QUEUE_FULL, await(Topics.ROUTING_EVENTS, over, QueueExited.TYPE, QueueExited.class).reason());
    }

    @Test
    void statisticsShowWaitingCallsAgentsAndTodaysCountsPerGroup() {
        String g = id("stats");
        String a = id("a"), b = id("a");
        group(g, 1);
        agent(a, "2501", new SkillAssignment(g, 1));
        agent(b, "2502", new SkillAssignment(g, 2));
        state(b, AgentState.NOT_READY, Instant.now());
        state(a, AgentState.READY, Instant.now());
        String answered = id("call"), abandoned = id("call"), waiting = id("call");
        transfer(answered, g, 0, 300, null);
        ConnectAgent c = await(Topics.CALL_COMMANDS, answered, ConnectAgent.TYPE, ConnectAgent.class);
        kafka.send(Topics.CALL_EVENTS, AgentConnected.TYPE, answered, new AgentConnected(answered, c.commandId(), a,
                c.endpoint(), c.endpoint() + "-1"));
        await(Topics.ROUTING_EVENTS, answered, CallConnected.TYPE, CallConnected.class);
        transfer(abandoned, g, 0, 300, null);
        await(Topics.ROUTING_EVENTS, abandoned, CallQueued.TYPE, CallQueued.class);
        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, abandoned, new CallEnded(abandoned, 16, "Normal Clearing", HangupParty.CALLER));
        await(Topics.ROUTING_EVENTS, abandoned, QueueExited.TYPE, QueueExited.class);
        transfer(waiting, g, 0, 300, null);
        await(Topics.ROUTING_EVENTS, waiting, CallQueued.TYPE, CallQueued.class);

        String admin = io.callstream.testkit.TestTokens.token("admin", "alice");
        io.restassured.RestAssured.given().auth().oauth2(admin).when().get("/api/v1/queue-stats/" + g).then().statusCode(200)
                .body("waiting", org.hamcrest.Matchers.equalTo(1))
                .body("agentsByState.READY", org.hamcrest.Matchers.equalTo(1))
                .body("agentsByState.NOT_READY", org.hamcrest.Matchers.equalTo(1))
                .body("offered", org.hamcrest.Matchers.equalTo(3))
                .body("answered", org.hamcrest.Matchers.equalTo(1))
                .body("abandoned", org.hamcrest.Matchers.equalTo(1))
                .body("serviceLevelPercent", org.hamcrest.Matchers.equalTo(50.0f))
                .body("averageWaitSeconds", org.hamcrest.Matchers.notNullValue());
        io.restassured.RestAssured.given().auth().oauth2(admin).when().get("/api/v1/queue-stats").then().statusCode(200)
                .body("skillGroup", org.hamcrest.Matchers.hasItem(g));
        io.restassured.RestAssured.given().auth().oauth2(admin).queryParam("since", "today").when()
                .get("/api/v1/queue-stats/" + g).then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("since"));
        io.restassured.RestAssured.given().auth().oauth2(io.callstream.testkit.TestTokens.token("agent", a)).when()
                .get("/api/v1/queue-stats/" + g).then().statusCode(403);
    }

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;
    @jakarta.inject.Inject
    io.callstream.routing.config.RoutingConfig config;

    /** A key of {@code prefix} that the producer's default partitioner puts on {@code partition}. */
    static String keyOn(String prefix, int partition) {
        while (true) {
            String key = id(prefix);
            byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int p = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(bytes))
                    % io.callstream.testkit.KafkaTopics.PARTITIONS;
            if (p == partition) {
                return key;
            }
        }
    }

    /**
     * Every statement about one group's callers reads that group's, even when PostgreSQL plans it on statistics
     * taken before a burst of callers (no WAITING rows then: each partial index on WAITING looks like one row).
     * The transfer, the assignment round, the position pass and its check each read every waiting caller of every
     * group then, through the timeout scan's index or a join to the transfer's parameters; and a transfer to a
     * queue with a length limit read every call the group ever had (docs/benchmarks.md).
     */
    @Test
    void statementsAboutOneGroupReadOnlyItsCallersEvenWithStatisticsTakenBeforeTheCallersCame() throws Exception {
        String burst = id("burst");
        String group = burst + "-g2";
        String agent = burst + "-a";
        try (java.sql.Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (java.sql.Statement s = c.createStatement()) {
                // 20,000 calls that have left, statistics that saw no waiting call, then 10,000 of them waiting
                // again, 100 in each group (a burst of callers before the next analyze): all rolled back at the end
                s.execute("UPDATE queue_entry SET state = 'ENDED' WHERE state = 'WAITING'");
                s.execute("INSERT INTO queue_entry (call_id, skill_group, priority, state, enqueued_at, timeout_at, variables, key_trail)"
                        + " SELECT '" + burst + "-' || i, '" + burst + "-g' || (i % 100), 0, 'ENDED', now(), now() + interval '5 minutes',"
                        + " '{}', '[]' FROM generate_series(1, 20000) i");
                // and the test's group a longer history: 3,000 more calls that left
                s.execute("INSERT INTO queue_entry (call_id, skill_group, priority, state, enqueued_at, timeout_at, variables, key_trail)"
                        + " SELECT '" + burst + "-old-' || i, '" + group + "', 0, 'ENDED', now() - interval '1 day',"
                        + " now() - interval '1 day', '{}', '[]' FROM generate_series(1, 3000) i");
                s.execute("ANALYZE queue_entry");
                s.execute("UPDATE queue_entry SET state = 'WAITING' WHERE call_id IN (SELECT '" + burst + "-' || i"
                        + " FROM generate_series(10001, 20000) i)"); // 100 in each group
                // one agent READY in the group: the transfer looks for waiting callers before offering to it
                s.execute("INSERT INTO skill_group_view (id, reception_limit) VALUES ('" + group + "', 1)");
                s.execute("INSERT INTO agent_view (agent_id, endpoint, state, ready_since) VALUES ('" + agent + "', 'PJSIP/" + agent
                        + "', 'READY', now())");
                s.execute("INSERT INTO agent_skill_view (agent_id, skill_group_id, priority) VALUES ('" + agent + "', '" + group + "', 1)");

                String g = "'" + group + "'";
                Map<String, String[]> statements = new java.util.LinkedHashMap<>();
                statements.put("transfer", explain(Queues.TRANSFER, "'" + burst + "-new'", g, "0", "NULL", "now()",
                        "now() + interval '5 minutes'", "'1'", "'2'", "'{}'", "'[]'", "'cmd'", "now() + interval '30 seconds'"));
                statements.put("transfer to a queue with a length limit", explain(Queues.TRANSFER, "'" + burst + "-new2'", g, "0",
                        "1000", "now()", "now() + interval '5 minutes'", "'1'", "'2'", "'{}'", "'[]'", "'cmd3'",
                        "now() + interval '30 seconds'"));
                statements.put("assignment round", explain(Queues.OFFER_ONE, g, "now()", "'cmd2'", "now() + interval '30 seconds'"));
                statements.put("position pass", explain(Queues.REPOSITION, g));
                statements.put("positions left", explain(Queues.POSITIONS_LEFT, g));
                statements.put("timed out", explain(Queues.TIMED_OUT, "now()", "100"));
                List<String> tooMany = new java.util.ArrayList<>();
                for (var statement : statements.entrySet()) {
                    s.execute(statement.getValue()[0]);
                    try (java.sql.ResultSet rs = s.executeQuery(statement.getValue()[1])) {
                        assertTrue(rs.next());
                        com.fasterxml.jackson.databind.JsonNode plan = Json.MAPPER.readTree(rs.getString(1)).get(0).get("Plan");
                        long read = queueEntryRowsRead(plan);
                        // the group has 100 waiting callers (each read a few times: ranked, then by primary key) and 3,100
                        // that left; the queue has 10,000 waiting callers, which the plans on these statistics read
                        if (read > 1000) {
                            tooMany.add(statement.getKey() + " read " + read + " queue_entry rows: " + plan.toPrettyString());
                        }
                    }
                    s.execute("DEALLOCATE ALL");
                }
                assertEquals(List.of(), tooMany);
                try (java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM queue_entry WHERE skill_group = " + g
                        + " AND position IS NOT NULL AND state = 'WAITING'")) {
                    assertTrue(rs.next());
                    assertEquals(101, rs.getInt(1), "the position pass gave the group's callers their positions");
                }
            } finally {
                c.rollback();
            }
        }
    }

    /** A PREPARE of {@code sql} ({@code ?N} parameters), then an EXPLAIN ANALYZE in JSON of its execution with {@code args}. */
    private static String[] explain(String sql, String... args) {
        String types = String.join(", ", java.util.Collections.nCopies(args.length, "unknown"));
        return new String[]{"PREPARE explained (" + types + ") AS " + sql.replaceAll("\\?(\\d+)", "\\$$1"),
                "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE explained (" + String.join(", ", args) + ")"};
    }

    /** The queue_entry rows a plan's scans read (kept or filtered out, every loop), and the rows its joins filtered out. */
    private static long queueEntryRowsRead(com.fasterxml.jackson.databind.JsonNode node) {
        long n = node.path("Rows Removed by Join Filter").asLong(0);
        if ("queue_entry".equals(node.path("Relation Name").asText()) && node.path("Node Type").asText().endsWith("Scan")) {
            n += (node.path("Actual Rows").asLong(0) + node.path("Rows Removed by Filter").asLong(0))
                    * Math.max(1, node.path("Actual Loops").asLong(1));
        }
        for (com.fasterxml.jackson.databind.JsonNode child : node.path("Plans")) {
            n += queueEntryRowsRead(child);
        }
        return n;
    }

    @Test
    void aTransferIsAssignedWhileEveryCallAndAgentEventThreadIsHeld() throws Exception {
        String g = id("held");
        String a = id("a");
        group(g, 1);
        agent(a, "2091", new SkillAssignment(g, 1));
        state(a, AgentState.READY, Instant.now().minusSeconds(60));
        List<String> ended = new java.util.ArrayList<>();
        List<String> groups = new java.util.ArrayList<>();
        try (java.sql.Connection held = dataSource.getConnection()) {
            held.setAutoCommit(false);
            // one event on every partition of the call and agent topics, each held at its first statement
            // (its processed-event row, inserted here and not committed): every thread reading them waits
            for (int partition = 0; partition < io.callstream.testkit.KafkaTopics.PARTITIONS; partition++) {
                String call = keyOn("gone", partition);
                String group = keyOn("g", partition);
                String callEvent = UUID.randomUUID().toString();
                String agentEvent = UUID.randomUUID().toString();
                try (var insert = held.prepareStatement("INSERT INTO processed_event (consumer, event_id) VALUES ('routing', ?)")) {
                    for (String eventId : List.of(callEvent, agentEvent)) {
                        insert.setString(1, eventId);
                        insert.executeUpdate();
                    }
                }
                kafka.send(Topics.CALL_EVENTS, new io.callstream.contracts.cloudevents.EventEnvelope(callEvent, CallEnded.TYPE,
                        "/callstream/test", Instant.now(), call, Json.write(new CallEnded(call, 16, "Normal Clearing", HangupParty.CALLER))));
                kafka.send(Topics.AGENT_EVENTS, new io.callstream.contracts.cloudevents.EventEnvelope(agentEvent, SkillGroupChanged.TYPE,
                        "/callstream/test", Instant.now(), group, Json.write(new SkillGroupChanged(group, "Held " + group, 1, null, false))));
                ended.add(call);
                groups.add(group);
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> lockWaiters() == config.consumerThreads());

            String call = id("call");
            transfer(call, g, 0, 300, null);
            ConnectAgent connect = await(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class);
            assertEquals(a, connect.agentId());
            assertEquals(config.consumerThreads(), lockWaiters(), "the call and agent events are still held");
            held.rollback();
        }
        // released: the held events are applied after all
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew().call(() ->
                ((Number) em.createNativeQuery("SELECT count(*) FROM ended_call WHERE call_id = ANY (?1)")
                        .setParameter(1, ended.toArray(String[]::new)).getSingleResult()).intValue() == ended.size()
                && ((Number) em.createNativeQuery("SELECT count(*) FROM skill_group_view WHERE id = ANY (?1)")
                        .setParameter(1, groups.toArray(String[]::new)).getSingleResult()).intValue() == groups.size()));
    }

    /** Sessions of routing's database waiting for a lock. */
    private int lockWaiters() throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     + " AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aTransactionOfCallAndAgentEventsLocksTheEntriesAndTheirAgentsAhead() throws Exception {
        TwoAgents t = callOfferedToTheFirstOfTwo("ahead", "2096", "2097");
        String unknownCall = id("call");
        try (java.sql.Connection held = dataSource.getConnection()) {
            held.setAutoCommit(false);
            // the query a transaction with a hang-up of the offered call and agent b's state change reads ahead
            io.callstream.servicekit.consumer.EventHandler.Prefetch prefetch = QuarkusTransaction.requiringNew().call(() ->
                    queues.prefetchLocks(List.of(t.call(), unknownCall), List.of(t.b())));
            Map<String, Object[]> read = new java.util.HashMap<>();
            try (var ps = held.prepareStatement(prefetch.sql())) {
                prefetch.binder().bind(held, ps, 1);
                try (var rows = ps.executeQuery()) {
                    while (rows.next()) {
                        read.put(rows.getString(1), new Object[]{rows.getString(2), rows.getString(3), rows.getString(5)});
                    }
                }
            }
            assertEquals(java.util.Set.of(t.call()), read.keySet(), "the entry there is; none for the unknown call");
            assertEquals("OFFERED", read.get(t.call())[1]);
            assertEquals(t.a(), read.get(t.call())[2]);
            // held now, by that one statement: the entry, the agent it offers (a), and the agent named (b)
            assertTrue(lockedElsewhere("SELECT 1 FROM queue_entry WHERE call_id = ? FOR UPDATE NOWAIT", t.call()));
            assertTrue(lockedElsewhere("SELECT 1 FROM agent_view WHERE agent_id = ? FOR UPDATE NOWAIT", t.a()));
            assertTrue(lockedElsewhere("SELECT 1 FROM agent_view WHERE agent_id = ? FOR UPDATE NOWAIT", t.b()));
            held.rollback();
        }
        assertTrue(!lockedElsewhere("SELECT 1 FROM agent_view WHERE agent_id = ? FOR UPDATE NOWAIT", t.a()), "released with the transaction");
    }

    @jakarta.inject.Inject
    io.callstream.routing.agents.AgentViews agentViews;

    @Test
    void aHangUpInTheTransactionThatOfferedItsCallFreesTheAgentItWasOffered() {
        OneWaiting w = oneCallerWaiting("onebatch", "2098");
        String a = w.agent(), call = w.call();

        // one transaction of agent a's READY, then the caller's hang-up, as RoutingConsumer applies a batch:
        // both rows locked and the entry read ahead (WAITING then), each event followed by afterEvent
        QuarkusTransaction.requiringNew().run(() -> {
            io.callstream.servicekit.consumer.EventHandler.Prefetch prefetch = queues.prefetchLocks(List.of(call), List.of(a));
            try (java.sql.Connection c = dataSource.getConnection(); var ps = c.prepareStatement(prefetch.sql())) {
                prefetch.binder().bind(c, ps, 1);
                try (var rows = ps.executeQuery()) {
                    prefetch.reader().read(rows);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            agentViews.stateChanged(new AgentStateChanged(a, AgentState.READY, null, AgentState.NOT_READY,
                    AgentStateCause.AGENT_REQUEST, null, null, null, false, Instant.now())).forEach(queues::assign);
            queues.afterEvent();
            queues.callEnded(call); // the entry is OFFERED now, not as read ahead
            queues.afterEvent();
        });
        assertEquals(a, await(Topics.CALL_COMMANDS, call, ConnectAgent.TYPE, ConnectAgent.class).agentId());
        assertEquals(QueueExitReason.ABANDONED, await(Topics.ROUTING_EVENTS, call, QueueExited.TYPE, QueueExited.class).reason());
        Object[] rows = QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery(
                "SELECT (SELECT state FROM queue_entry WHERE call_id = ?1), (SELECT reserved_call FROM agent_view WHERE agent_id = ?2)")
                .setParameter(1, call).setParameter(2, a).getSingleResult());
        assertEquals("ENDED", rows[0]);
        assertEquals(null, rows[1], "the reservation went with the call");
    }

    @Test
    void aTransferIsDecidedAndQueuedInItsProcessedEventRoundTripAndNeverQueuedTwice() {
        String[] ga = oneAgentNotReady("facts", "2099");
        String g = ga[0], a = ga[1];
        String call = id("call");
        TransferRequested t = new TransferRequested(call, "s-" + call, "agent", g, 0, 300, null, null, "13900001111", "4001",
                Map.of(), List.of());
        QuarkusTransaction.requiringNew().run(() -> {
            io.callstream.servicekit.consumer.EventHandler.Prefetch prefetch = queues.prefetchTransfer(t);
            try (java.sql.Connection c = dataSource.getConnection(); var ps = c.prepareStatement(prefetch.sql())) {
                prefetch.binder().bind(c, ps, 1);
                try (var rows = ps.executeQuery()) {
                    prefetch.reader().read(rows);
                }
                try (var entry = c.prepareStatement("SELECT state, position FROM queue_entry WHERE call_id = ?")) {
                    entry.setString(1, call);
                    try (var rows = entry.executeQuery()) {
                        assertTrue(rows.next(), "queued by the prefetch's statement itself");
                        assertEquals("WAITING", rows.getString(1), "its one agent is not ready");
                        assertEquals(1, rows.getInt(2));
                    }
                }
                // the caller's hang-up, now: a transfer deciding again would leave as ABANDONED
                try (var end = c.prepareStatement("INSERT INTO ended_call (call_id, ended_at) VALUES (?, now())")) {
                    end.setString(1, call);
                    end.executeUpdate();
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            queues.transferRequested(t);
        });
        CallQueued queued = await(Topics.ROUTING_EVENTS, call, CallQueued.TYPE, CallQueued.class);
        assertEquals(1, queued.position(), "queued as the prefetch decided (one agent logged in, no caller gone)");
        assertEquals(60, queued.estimatedWaitSeconds());

        // the same request again (a redelivery whose processed-event row was gone), the caller's hang-up taken
        // back so that only its entry keeps it from being queued twice: the prefetch's statement finds the
        // entry, queues nothing, and the request is passed over
        QuarkusTransaction.requiringNew().run(() -> {
            io.callstream.servicekit.consumer.EventHandler.Prefetch prefetch = queues.prefetchTransfer(t);
            try (java.sql.Connection c = dataSource.getConnection(); var ps = c.prepareStatement(prefetch.sql())) {
                try (var back = c.prepareStatement("DELETE FROM ended_call WHERE call_id = ?")) {
                    back.setString(1, call);
                    assertEquals(1, back.executeUpdate());
                }
                prefetch.binder().bind(c, ps, 1);
                try (var rows = ps.executeQuery()) {
                    prefetch.reader().read(rows);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            queues.transferRequested(t);
        });
        Object[] rows = QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery(
                "SELECT (SELECT count(*) FROM queue_entry WHERE call_id = ?1), (SELECT state FROM queue_entry WHERE call_id = ?1),"
                        + " (SELECT count(*) FROM outbox_message WHERE message_key = ?1 AND type = ?2)")
                .setParameter(1, call).setParameter(2, CallQueued.TYPE).getSingleResult());
        assertEquals(1L, ((Number) rows[0]).longValue(), "one entry");
        assertEquals("WAITING", rows[1], "still waiting, not ended by the second look");
        assertEquals(1L, ((Number) rows[2]).longValue(), "queued once");
    }

    @Test
    void endedCallsEntriesOlderThanTheRetentionAreDeletedAndNothingElse() {
        String g = id("history");
        String old = id("call"), recent = id("call"), oldConnected = id("call");
        // ended 8 days ago (past the 7-day retention), ended a day ago, and one 8 days old still CONNECTED (its
        // end never came): only the first goes
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("INSERT INTO queue_entry (call_id, skill_group, priority,"
                        + " state, enqueued_at, timeout_at, variables, key_trail, connected_at, connected_agent, ended_at) VALUES"
                        + " (?1, ?4, 0, 'ENDED', now() - interval '8 days', now() - interval '8 days', '{}', '[]', now() - interval '8 days', 'a-gone', now() - interval '8 days'),"
                        + " (?2, ?4, 0, 'ENDED', now() - interval '1 day', now() - interval '1 day', '{}', '[]', now() - interval '1 day', 'a-gone', now() - interval '1 day'),"
                        + " (?3, ?4, 0, 'CONNECTED', now() - interval '8 days', now() - interval '8 days', '{}', '[]', now() - interval '8 days', 'a-gone', NULL)")
                .setParameter(1, old).setParameter(2, recent).setParameter(3, oldConnected).setParameter(4, g).executeUpdate());
        try {
            while (queues.forgetOldEntries(1000) == 1000) {
                // the clock's own rounds may have taken some first: either way, all due are gone after this
            }
            List<?> kept = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                    "SELECT call_id FROM queue_entry WHERE skill_group = ?1 ORDER BY call_id").setParameter(1, g).getResultList());
            assertEquals(java.util.stream.Stream.of(recent, oldConnected).sorted().toList(), kept,
                    "the entry ended 8 days ago deleted; the one ended a day ago and the one never ended kept");
        } finally {
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("DELETE FROM queue_entry WHERE skill_group = ?1")
                    .setParameter(1, g).executeUpdate());
        }
    }

    /** Whether {@code nowait} (a {@code FOR UPDATE NOWAIT} of one row) finds the row locked by another transaction. */
    private boolean lockedElsewhere(String nowait, String id) throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var ps = c.prepareStatement(nowait)) {
                ps.setString(1, id);
                ps.executeQuery().close();
                return false;
            } catch (java.sql.SQLException e) {
                if ("55P03".equals(e.getSQLState())) { // lock_not_available
                    return true;
                }
                throw e;
            } finally {
                c.rollback();
            }
        }
    }
}
