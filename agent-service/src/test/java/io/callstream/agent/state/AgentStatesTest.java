package io.callstream.agent.state;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.MissReason;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Agent states against real Kafka and PostgreSQL: the agent's requests over REST, routing's offers,
 * misses and connections and the gateway's call ends as real events, after-call work running out,
 * forced offline, and every change stored and published.
 */
@QuarkusTest
class AgentStatesTest {
    private static final String ADMIN = TestTokens.token("admin", "alice");
    private static final String QA = TestTokens.token("qa", "quinn");
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;

    /** An agent (and its offline state row) written straight into the database; the agents API is tested elsewhere. */
    record TestAgent(String id, String staffNumber, String token) {
    }

    TestAgent newAgent() {
        UUID id = UUID.randomUUID();
        String n = id.toString().substring(0, 8);
        String extension = String.valueOf(100000 + (int) (Math.random() * 899999));
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("INSERT INTO agent (id, staff_number, name, email, extension, role)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5, 'AGENT')")
                    .setParameter(1, id).setParameter(2, "S-" + n).setParameter(3, "Agent " + n)
                    .setParameter(4, n + "@example.com").setParameter(5, extension).executeUpdate();
            em.createNativeQuery("INSERT INTO agent_state (agent_id, state, since) VALUES (?1, 'OFFLINE', now())")
                    .setParameter(1, id).executeUpdate();
        });
        return new TestAgent(id.toString(), "S-" + n, TestTokens.token("agent", id.toString()));
    }

    String newSkillGroup(Integer afterCallWorkSeconds) {
        String id = "g-" + UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO skill_group (id, name, reception_limit, after_call_work_seconds) VALUES (?1, ?2, 1, ?3)")
                .setParameter(1, id).setParameter(2, "Group " + id).setParameter(3, afterCallWorkSeconds).executeUpdate());
        return id;
    }

    static ValidatableResponse ask(TestAgent a, String token, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body)
                .when().post("/api/v1/agents/" + a.id() + "/state").then();
    }

    static ValidatableResponse state(TestAgent a) {
        return given().auth().oauth2(ADMIN).when().get("/api/v1/agents/" + a.id() + "/state").then().statusCode(200);
    }

    void awaitState(TestAgent a, String state) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> state(a).body("state", equalTo(state)));
    }

    /** The agent's state-changed events on Kafka, in order. */
    List<AgentStateChanged> published(TestAgent a) {
        return kafka.readToEndCached(Topics.AGENT_EVENTS).stream()
                .filter(r -> a.id().equals(r.key()) && "io.callstream.agent.state-changed".equals(KafkaEvents.header(r, "ce_type")))
                .map(r -> Json.read(r.value(), AgentStateChanged.class)).toList();
    }

    @Test
    void loggingInAndOutIsStoredAndPublishedKeyedByTheAgent() {
        TestAgent a = newAgent();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200).body("state", equalTo("READY"))
                .body("allowedRequests", contains("NOT_READY", "OFFLINE"));
        ask(a, a.token(), "{\"state\":\"NOT_READY\",\"reason\":\"rest\"}").statusCode(200).body("reason", equalTo("rest"));
        ask(a, a.token(), "{\"state\":\"OFFLINE\"}").statusCode(200);

        await().untilAsserted(() -> assertEquals(List.of("READY", "NOT_READY", "OFFLINE"),
                published(a).stream().map(e -> e.state().name()).toList()));
        AgentStateChanged rest = published(a).get(1);
        assertEquals("rest", rest.reason());
        assertEquals("READY", rest.previousState().name());
        assertEquals("AGENT_REQUEST", rest.cause().name());

        given().auth().oauth2(QA).when().get("/api/v1/agents/" + a.id() + "/states").then().statusCode(200)
                .body("total", equalTo(3)).body("items.state", contains("OFFLINE", "NOT_READY", "READY"))
                .body("items[1].reason", equalTo("rest"));
    }

    @Test
    void historyIsQueryableByTimeRange() {
        TestAgent a = newAgent();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        Instant between = Instant.now();
        await().until(() -> Instant.now().isAfter(between.plusMillis(5)));
        ask(a, a.token(), "{\"state\":\"OFFLINE\"}").statusCode(200);

        given().auth().oauth2(ADMIN).queryParam("from", between.toString())
                .when().get("/api/v1/agents/" + a.id() + "/states").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].state", equalTo("OFFLINE"));
        given().auth().oauth2(ADMIN).queryParam("to", between.toString())
                .when().get("/api/v1/agents/" + a.id() + "/states").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].state", equalTo("READY"));
        given().auth().oauth2(ADMIN).queryParam("from", "yesterday")
                .when().get("/api/v1/agents/" + a.id() + "/states").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("from"));
    }

    @Test
    void badRequestsNameTheField() {
        TestAgent a = newAgent();
        ask(a, a.token(), "{\"state\":\"NOT_READY\"}").statusCode(400).body("errors[0].field", equalTo("reason"));
        ask(a, a.token(), "{\"state\":\"BUSY\"}").statusCode(400).body("errors[0].field", equalTo("state"));
        ask(a, a.token(), "{\"state\":\"SLEEPING\"}").statusCode(400).body("errors[0].field", equalTo("state"));
        ask(a, a.token(), "{}").statusCode(400).body("errors[0].field", equalTo("state"));
        ask(a, a.token(), "{\"state\":\"READY\",\"reason\":\"why not\"}").statusCode(400).body("errors[0].field", equalTo("reason"));
        state(a).body("state", equalTo("OFFLINE"));
        assertEquals(List.of(), published(a), "nothing was changed or published");
    }

    @Test
    void anAgentActsOnlyOnItselfAndQaOnlyReads() {
        TestAgent a = newAgent();
        TestAgent other = newAgent();
        ask(a, other.token(), "{\"state\":\"READY\"}").statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(other.token()).when().get("/api/v1/agents/" + a.id() + "/state").then().statusCode(403);
        ask(a, QA, "{\"state\":\"READY\"}").statusCode(403);
        // by staff number in the token's subject
        ask(a, TestTokens.token("agent", a.staffNumber()), "{\"state\":\"READY\"}").statusCode(200);
        // an admin on the agent's behalf
        ask(a, ADMIN, "{\"state\":\"OFFLINE\"}").statusCode(200);
        await().untilAsserted(() -> assertEquals("ADMIN_REQUEST", published(a).get(1).cause().name()));
        given().auth().oauth2(ADMIN).when().get("/api/v1/agents/" + UUID.randomUUID() + "/state").then().statusCode(404);
    }

    @Test
    void aCallOfferedAnsweredAndEndedGoesThroughAfterCallWorkBackToReady() {
        TestAgent a = newAgent();
        String group = newSkillGroup(1);
        String call = "call-" + UUID.randomUUID();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);

        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, call, new AgentOffered(call, group, a.id(), "13900001111",
                "4001", 1200, Map.of("orderid", "A-17"), List.of()));
        awaitState(a, "RINGING");
        state(a).body("callId", equalTo(call)).body("skillGroupId", equalTo(group));
        // the state machine forbids logging out while the phone rings, and says what is allowed
        ask(a, a.token(), "{\"state\":\"OFFLINE\"}").statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("OFFLINE after this call"));

        kafka.send(Topics.ROUTING_EVENTS, CallConnected.TYPE, call, new CallConnected(call, group, a.id(), 4000));
        awaitState(a, "BUSY");
        kafka.send(Topics.CALL_EVENTS, BridgeEnded.TYPE, call, new BridgeEnded(call, "cmd-1", a.id(), "PJSIP/1001",
                HangupParty.AGENT, 61_000));
        awaitState(a, "AFTER_CALL_WORK");
        state(a).body("afterCallWorkEndsAt", org.hamcrest.Matchers.notNullValue());
        awaitState(a, "READY"); // the group's one second of after-call work ran out

        await().untilAsserted(() -> assertEquals(
                List.of("READY/AGENT_REQUEST", "RINGING/CALL_OFFERED", "BUSY/CALL_CONNECTED", "AFTER_CALL_WORK/CALL_ENDED",
                        "READY/AFTER_CALL_WORK_ENDED"),
                published(a).stream().map(e -> e.state() + "/" + e.cause()).toList()));
        AgentStateChanged busy = published(a).get(2);
        assertEquals(call, busy.callId());
        assertEquals(group, busy.skillGroupId());
        assertNull(published(a).get(4).callId(), "a change that is not about a call names none");

        // the call's own end after the agent's leg ended changes nothing more
        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, call, new CallEnded(call, 16, "Normal Clearing", HangupParty.CALLER));
        String marker = "call-" + UUID.randomUUID();
        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, marker, new AgentOffered(marker, group, a.id(), "1", "4001",
                0, Map.of(), List.of()));
        awaitState(a, "RINGING");
        assertEquals(6, published(a).size());
    }

    @Test
    void notReadyAfterThisCallTakesEffectWhenTheCallEnds() {
        TestAgent a = newAgent();
        String group = newSkillGroup(300);
        String call = "call-" + UUID.randomUUID();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        kafka.send(Topics.ROUTING_EVENTS, CallConnected.TYPE, call, new CallConnected(call, group, a.id(), 0));
        awaitState(a, "BUSY");

        ask(a, a.token(), "{\"state\":\"NOT_READY\",\"reason\":\"meeting\",\"afterCall\":true}").statusCode(200)
                .body("state", equalTo("BUSY")).body("afterCallState", equalTo("NOT_READY"))
                .body("afterCallReason", equalTo("meeting"));
        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, call, new CallEnded(call, 16, "Normal Clearing", HangupParty.CALLER));
        awaitState(a, "NOT_READY");
        state(a).body("reason", equalTo("meeting")).body("afterCallState", nullValue());
    }

    @Test
    void missedCallsInARowSetTheAgentNotReady() {
        TestAgent a = newAgent();
        String group = newSkillGroup(null);
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        for (int i = 0; i < 3; i++) {
            String call = "call-" + UUID.randomUUID();
            kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, call, new AgentOffered(call, group, a.id(), "139", "4001",
                    0, Map.of(), List.of()));
            kafka.send(Topics.ROUTING_EVENTS, AgentMissed.TYPE, call, new AgentMissed(call, group, a.id(), MissReason.NO_ANSWER));
            if (i < 2) {
                int misses = i + 1;
                await().untilAsserted(() -> state(a).body("missedInRow", equalTo(misses)).body("state", equalTo("READY")));
            }
        }
        awaitState(a, "NOT_READY");
        state(a).body("reason", equalTo("missed calls"));
        await().untilAsserted(() -> assertEquals("MISSED_CALLS_LIMIT", published(a).get(published(a).size() - 1).cause().name()));
    }

    /** Waits until agent-service applied the event (its processed-event row). */
    void awaitApplied(String eventId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew().call(() ->
                !em.createNativeQuery("SELECT 1 FROM processed_event WHERE event_id = ?1").setParameter(1, eventId)
                        .getResultList().isEmpty()));
    }

    @Test
    void routingsEventsReadAfterTheCallEndedDoNotLeaveTheAgentRingingOrBusy() {
        TestAgent a = newAgent();
        String group = newSkillGroup(1);
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);

        // the caller hung up while routing offered the call: the offer is read after the end (another topic)
        String gone = "call-" + UUID.randomUUID();
        awaitApplied(kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, gone, new CallEnded(gone, 16, "Normal Clearing",
                HangupParty.CALLER)));
        awaitApplied(kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, gone, new AgentOffered(gone, group, a.id(), "139",
                "4001", 0, Map.of(), List.of())));
        state(a).body("state", equalTo("READY"));

        // a short call whose agent leg ended before routing's connected was read: busy, then after-call work
        String quick = "call-" + UUID.randomUUID();
        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, quick, new AgentOffered(quick, group, a.id(), "139", "4001",
                0, Map.of(), List.of()));
        awaitState(a, "RINGING");
        awaitApplied(kafka.send(Topics.CALL_EVENTS, BridgeEnded.TYPE, quick, new BridgeEnded(quick, "cmd-1", a.id(),
                "PJSIP/1001", HangupParty.AGENT, 2_000)));
        awaitApplied(kafka.send(Topics.ROUTING_EVENTS, CallConnected.TYPE, quick, new CallConnected(quick, group, a.id(), 900)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(List.of("READY/AGENT_REQUEST",
                "RINGING/CALL_OFFERED", "READY/CALL_ENDED", "BUSY/CALL_CONNECTED", "AFTER_CALL_WORK/CALL_ENDED",
                "READY/AFTER_CALL_WORK_ENDED"), published(a).stream().map(e -> e.state() + "/" + e.cause()).toList()));
    }

    @Test
    void routingsRequestForItsViewIsAnsweredWithEveryGroupProfileAndCurrentState() {
        TestAgent a = newAgent();
        String group = newSkillGroup(30);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO agent_skill (agent_id, skill_group_id, priority) VALUES (?1, ?2, 2)")
                .setParameter(1, UUID.fromString(a.id())).setParameter(2, group).executeUpdate());
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        String since = state(a).extract().path("since");

        awaitApplied(kafka.send(Topics.ROUTING_EVENTS, io.callstream.contracts.routing.AgentViewRequested.TYPE,
                io.callstream.contracts.routing.AgentViewRequested.KEY,
                new io.callstream.contracts.routing.AgentViewRequested("new-database", java.time.Instant.now())));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            AgentStateChanged last = published(a).get(published(a).size() - 1);
            assertEquals("SNAPSHOT", last.cause().name());
            assertEquals("READY", last.state().name());
            assertEquals("READY", last.previousState().name());
            assertEquals(java.time.Instant.parse(since), last.changedAt(), "when it became READY: routing's longest idle");
        });
        io.callstream.contracts.agent.AgentProfileChanged profile = kafka.readToEndCached(Topics.AGENT_EVENTS).stream()
                .filter(r -> a.id().equals(r.key()) && io.callstream.contracts.agent.AgentProfileChanged.TYPE.equals(
                        KafkaEvents.header(r, "ce_type")))
                .map(r -> Json.read(r.value(), io.callstream.contracts.agent.AgentProfileChanged.class)).reduce((x, y) -> y).orElseThrow();
        assertEquals(List.of(new io.callstream.contracts.agent.SkillAssignment(group, 2)), profile.skills());
        assertEquals(a.staffNumber(), profile.staffNumber());
        io.callstream.contracts.agent.SkillGroupChanged g = kafka.readToEndCached(Topics.AGENT_EVENTS).stream()
                .filter(r -> group.equals(r.key()) && io.callstream.contracts.agent.SkillGroupChanged.TYPE.equals(
                        KafkaEvents.header(r, "ce_type")))
                .map(r -> Json.read(r.value(), io.callstream.contracts.agent.SkillGroupChanged.class)).reduce((x, y) -> y).orElseThrow();
        assertEquals(30, g.afterCallWorkSeconds());
        assertEquals(1, g.receptionLimit());
    }

    @Test
    void callerHangingUpWhileTheAgentsPhoneRingsReturnsTheAgentToReady() {
        TestAgent a = newAgent();
        String call = "call-" + UUID.randomUUID();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, call, new AgentOffered(call, "sales", a.id(), "139", "4001",
                0, Map.of(), List.of()));
        awaitState(a, "RINGING");
        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, call, new CallEnded(call, 16, "Normal Clearing", HangupParty.CALLER));
        awaitState(a, "READY");
        state(a).body("missedInRow", equalTo(0));
    }

    @Test
    void forcedOfflineAgentCannotLogInUntilRestored() {
        TestAgent a = newAgent();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        given().auth().oauth2(a.token()).when().post("/api/v1/agents/" + a.id() + "/force-offline").then().statusCode(403);
        given().auth().oauth2(ADMIN).when().post("/api/v1/agents/" + a.id() + "/force-offline").then().statusCode(200)
                .body("state", equalTo("OFFLINE")).body("forcedOffline", equalTo(true));
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(409).body("detail", containsString("restore"));

        given().auth().oauth2(ADMIN).when().post("/api/v1/agents/" + a.id() + "/restore").then().statusCode(200)
                .body("forcedOffline", equalTo(false)).body("state", equalTo("OFFLINE"));
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        await().untilAsserted(() -> {
            List<AgentStateChanged> events = published(a);
            assertEquals(4, events.size());
            assertEquals(true, events.get(1).forcedOffline());
            assertFalse(events.get(2).forcedOffline());
        });
    }

    @Test
    void forcingAnAgentOfflineDuringACallTakesEffectWhenItEnds() {
        TestAgent a = newAgent();
        String call = "call-" + UUID.randomUUID();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        kafka.send(Topics.ROUTING_EVENTS, CallConnected.TYPE, call, new CallConnected(call, "sales", a.id(), 0));
        awaitState(a, "BUSY");
        given().auth().oauth2(ADMIN).when().post("/api/v1/agents/" + a.id() + "/force-offline").then().statusCode(200)
                .body("state", equalTo("BUSY")).body("afterCallState", equalTo("OFFLINE"));
        kafka.send(Topics.CALL_EVENTS, BridgeEnded.TYPE, call, new BridgeEnded(call, "cmd", a.id(), "PJSIP/1", HangupParty.CALLER, 5));
        awaitState(a, "OFFLINE");
        state(a).body("forcedOffline", equalTo(true)).body("allowedRequests", org.hamcrest.Matchers.empty());
    }

    @Test
    void unknownAgentsInRoutingEventsAreIgnoredAndTheStreamGoesOn() {
        TestAgent a = newAgent();
        ask(a, a.token(), "{\"state\":\"READY\"}").statusCode(200);
        String ghost = "call-" + UUID.randomUUID();
        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, ghost, new AgentOffered(ghost, "sales", "not-an-agent", "1",
                "4001", 0, Map.of(), List.of()));
        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, ghost, new AgentOffered(ghost, "sales", UUID.randomUUID().toString(),
                "1", "4001", 0, Map.of(), List.of()));
        String call = "call-" + UUID.randomUUID();
        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, call, new AgentOffered(call, "sales", a.id(), "1", "4001", 0,
                Map.of(), List.of()));
        awaitState(a, "RINGING");
        List<ConsumerRecord<String, byte[]>> parked = kafka.readToEnd(Topics.deadLetter("agent-service")).stream()
                .filter(r -> ghost.equals(r.key())).toList();
        assertEquals(0, parked.size(), "not poison: just not ours");
    }
}
