package io.callstream.ivr.records;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.Json;
import io.callstream.contracts.call.AgentAlerted;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.StartHold;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.MissReason;
import io.callstream.ivr.WebhookReceiver;
import io.callstream.ivr.engine.FakeSwitch;
import io.callstream.servicekit.webhook.WebhookSignature;
import io.callstream.testkit.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Call records built from real call, routing and IVR events (the test plays the gateway and routing over
 * real Kafka), read over REST, and delivered signed to a real local webhook receiver when the call ends.
 */
@QuarkusTest
class CallRecordsTest {
    private static final String ADMIN = TestTokens.token("admin", "alice");
    private static final String QA = TestTokens.token("qa", "quinn");
    private static final String CRM = TestTokens.token("integration", "crm");
    private final FakeSwitch sw = new FakeSwitch();

    static final String FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "order"}},
              {"id": "order", "type": "collectDigits", "label": "Order number", "settings": {"prompt": {"text": "Order?"}, "maxDigits": 6, "variable": "orderid"},
               "exits": {"ok": "agents", "failed": "bye"}},
              {"id": "agents", "type": "transferToAgent", "label": "Pre-sales",
               "settings": {"skillGroup": "pre-sales", "queueTimeoutSeconds": 60},
               "exits": {"afterAgent": "survey", "queueTimeout": "bye", "queueFull": "bye", "noAgent": "bye"}},
              {"id": "survey", "type": "satisfaction", "label": "Survey",
               "settings": {"prompt": {"text": "Rate us: 1 good, 0 bad."}, "options": {"1": "satisfied", "0": "dissatisfied"}},
               "exits": {"next": "bye"}},
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void aServedCallIsRecordedFromStartToSurveyAndPushedSignedToTheWebhook() throws Exception {
        String caller = "1390" + digits(7);
        String callId = sw.call(caller, FakeSwitch.publishAndBind(FLOW));
        Instant began = Instant.now();
        sw.answer(callId);
        CollectDigits order = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, order.commandId(), "4711", DigitsCompletion.TERMINATOR));
        sw.next(callId, StartHold.class);
        sw.awaitIvr(callId, TransferRequested.class);

        // while the call is on, the record is there without an end status
        JsonPath live = record(callId, QA);
        assertNull(live.get("endStatus"));
        assertEquals(caller, live.get("callerNumber"));
        assertNotNull(live.get("ivrEndedAt"), "the caller left the IVR for the queue");

        sw.send(new CallQueued(callId, "pre-sales", 1, Instant.now()));
        sw.send(new AgentOffered(callId, "pre-sales", "agent-3", caller, "x", 1000, Map.of(), List.of()));
        sw.send(new AgentMissed(callId, "pre-sales", "agent-3", MissReason.NO_ANSWER));
        sw.send(new AgentOffered(callId, "pre-sales", "agent-7", caller, "x", 9000, Map.of(), List.of()));
        // routing's events and the gateway's travel on two topics: wait as the real call would (ring, talk)
        awaitRecord(callId, r -> r.getList("agents").size() == 2);
        sw.send(new AgentAlerted(callId, UUID.randomUUID().toString(), "agent-7", "PJSIP/1007"));
        sw.send(new CallConnected(callId, "pre-sales", "agent-7", 12000));
        awaitRecord(callId, r -> r.get("agentAnsweredAt") != null);
        sw.send(new BridgeEnded(callId, UUID.randomUUID().toString(), "agent-7", "PJSIP/1007", HangupParty.AGENT, 61_000));
        CollectDigits survey = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, survey.commandId(), "1", DigitsCompletion.LENGTH_REACHED));
        sw.next(callId, HangUp.class);
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.SYSTEM));

        JsonPath r = awaitEnded(callId);
        assertEquals("AGENT_ANSWERED", r.get("endStatus"));
        assertEquals("INBOUND", r.get("direction"));
        assertEquals("SYSTEM", r.get("hungUpBy"));
        assertEquals(16, (int) r.get("hangupCause"));
        assertEquals("pre-sales", r.get("skillGroup"));
        assertEquals("1", r.get("satisfactionKey"));
        assertEquals("satisfied", r.get("satisfactionLabel"));
        assertEquals("4711", r.get("variables.orderid"));
        assertEquals(List.of("Order number", "Survey"), r.getList("keyTrail.label"));
        assertEquals(List.of("4711", "1"), r.getList("keyTrail.keys"));
        assertEquals(List.of("agent-3", "agent-7"), r.getList("agents.agentId"), "both offers, in order");
        assertEquals("NO_ANSWER", r.get("agents[0].missed"));
        assertNull(r.get("agents[0].answeredAt"));
        assertNotNull(r.get("agents[1].answeredAt"));
        assertEquals(61_000, ((Number) r.get("agents[1].talkMillis")).intValue());
        List<Instant> times = List.of("startedAt", "answeredAt", "ivrEndedAt", "queuedAt", "agentRingingAt",
                "agentAnsweredAt", "endedAt").stream().map(f -> Instant.parse(r.getString(f))).toList();
        for (int i = 1; i < times.size(); i++) {
            assertFalse(times.get(i).isBefore(times.get(i - 1)), "timestamps in call order: " + times);
        }
        assertFalse(times.get(0).isBefore(began.minusSeconds(5)));
        assertTrue(r.getLong("durationMillis") >= 0);

        // the business system's webhook got the same record, signed
        JsonNode delivery = awaitDelivery(callId);
        byte[] body = delivery.get("body").asText().getBytes(StandardCharsets.UTF_8);
        assertEquals("io.callstream.ivr.call-record", delivery.get("callstream-event").asText());
        assertTrue(WebhookSignature.verify(WebhookReceiver.SECRET, delivery.get("callstream-timestamp").asText(),
                delivery.get("callstream-signature").asText(), body, Duration.ofMinutes(5), Instant.now()),
                "signed with the subscriber's secret");
        assertFalse(WebhookSignature.verify("another-secret", delivery.get("callstream-timestamp").asText(),
                delivery.get("callstream-signature").asText(), body, Duration.ofMinutes(5), Instant.now()));
        JsonNode pushed = Json.MAPPER.readTree(body);
        assertEquals("AGENT_ANSWERED", pushed.get("endStatus").asText());
        assertEquals("satisfied", pushed.get("satisfactionLabel").asText());
        assertEquals(2, pushed.get("keyTrail").size());
    }

    @Test
    void aCallerWhoHangsUpInTheQueueIsAnAbandonedCallAndSearchFindsIt() {
        String caller = "1391" + digits(7);
        String number = FakeSwitch.publishAndBind(FLOW);
        String callId = sw.call(caller, number);
        sw.answer(callId);
        CollectDigits order = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, order.commandId(), "12", DigitsCompletion.TERMINATOR));
        sw.next(callId, StartHold.class);
        sw.awaitIvr(callId, TransferRequested.class);
        sw.send(new CallQueued(callId, "pre-sales", 3, Instant.now()));
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.CALLER));

        JsonPath r = awaitEnded(callId);
        assertEquals("QUEUE_ABANDONED", r.get("endStatus"));
        assertEquals("CALLER", r.get("hungUpBy"));
        assertNull(r.get("agentAnsweredAt"));
        assertEquals("CALLER_HUNG_UP", sw.awaitIvr(callId, IvrSessionEnded.class).outcome().name());

        // search: by number (caller or called), skill group, status, time range; paged
        String from = Instant.now().minusSeconds(600).toString();
        given().auth().oauth2(CRM).queryParam("number", caller).get("/api/v1/call-records")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].callId", equalTo(callId));
        given().auth().oauth2(CRM).queryParam("number", number).queryParam("status", "queue_abandoned")
                .queryParam("from", from).get("/api/v1/call-records")
                .then().statusCode(200).body("items.callId", org.hamcrest.Matchers.hasItem(callId));
        given().auth().oauth2(QA).queryParam("number", caller).queryParam("status", "AGENT_ANSWERED")
                .get("/api/v1/call-records").then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(QA).queryParam("number", caller).queryParam("to", from)
                .get("/api/v1/call-records").then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(QA).queryParam("skillGroup", "pre-sales").queryParam("size", 1)
                .get("/api/v1/call-records").then().statusCode(200).body("items.size()", equalTo(1))
                .body("size", equalTo(1));
    }

    @Test
    void searchByAgentFindsEveryCallTheAgentWasOffered() {
        String agent = "agent-" + UUID.randomUUID();
        String callId = sw.call("1392" + digits(7), FakeSwitch.publishAndBind(FLOW));
        sw.answer(callId);
        CollectDigits order = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, order.commandId(), "9", DigitsCompletion.TERMINATOR));
        sw.awaitIvr(callId, TransferRequested.class);
        sw.send(new AgentOffered(callId, "pre-sales", agent, "x", "y", 10, Map.of(), List.of()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().auth().oauth2(ADMIN).queryParam("agentId", agent).get("/api/v1/call-records")
                        .then().statusCode(200).body("total", equalTo(1)).body("items[0].callId", equalTo(callId))
                        .body("items[0].agents[0].agentId", equalTo(agent)));
        given().auth().oauth2(ADMIN).queryParam("agentId", agent).queryParam("status", "ACTIVE")
                .get("/api/v1/call-records").then().statusCode(200).body("total", equalTo(1));
    }

    @Test
    void anUnboundNumberIsRecordedAsNoFlow() {
        String callId = sw.call("1393" + digits(7), "0" + digits(9));
        sw.next(callId, AnswerCall.class);
        sw.next(callId, PlayPrompt.class);
        sw.next(callId, HangUp.class);
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.SYSTEM));
        JsonPath r = awaitEnded(callId);
        assertEquals("NO_FLOW", r.get("endStatus"));
        assertNull(r.get("flowId"));
    }

    @Test
    void badSearchesAreRefusedNamingTheParameterAndOnlyReadersMayRead() {
        given().auth().oauth2(QA).queryParam("from", "yesterday").get("/api/v1/call-records")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("from"));
        given().auth().oauth2(QA).queryParam("status", "LOST").get("/api/v1/call-records")
                .then().statusCode(400).body("errors[0].field", equalTo("status"))
                .body("errors[0].message", containsString("AGENT_ANSWERED"));
        given().auth().oauth2(QA).queryParam("from", "2026-01-02T00:00:00Z").queryParam("to", "2026-01-01T00:00:00Z")
                .get("/api/v1/call-records").then().statusCode(400).body("errors[0].field", equalTo("to"));
        given().auth().oauth2(QA).queryParam("size", 1000).get("/api/v1/call-records")
                .then().statusCode(400).body("errors[0].field", equalTo("size"));
        given().auth().oauth2(QA).queryParam("direction", "sideways").get("/api/v1/call-records")
                .then().statusCode(400).body("errors[0].field", equalTo("direction"));
        given().auth().oauth2(QA).get("/api/v1/call-records/no-such-call").then().statusCode(404);
        given().auth().oauth2(TestTokens.token("agent", "bob")).get("/api/v1/call-records").then().statusCode(403);
        given().get("/api/v1/call-records").then().statusCode(401);
    }

    // ------------------------------------------------------------------

    private static JsonPath record(String callId, String token) {
        JsonPath[] found = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var response = given().auth().oauth2(token).get("/api/v1/call-records/" + callId);
            found[0] = response.statusCode() == 200 ? response.jsonPath() : null;
            return found[0] != null;
        });
        return found[0];
    }

    private static JsonPath awaitEnded(String callId) {
        return awaitRecord(callId, r -> r.get("endStatus") != null);
    }

    private static JsonPath awaitRecord(String callId, java.util.function.Predicate<JsonPath> condition) {
        JsonPath[] found = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var response = given().auth().oauth2(ADMIN).get("/api/v1/call-records/" + callId);
            found[0] = response.statusCode() == 200 ? response.jsonPath() : null;
            return found[0] != null && condition.test(found[0]);
        });
        return found[0];
    }

    private static JsonNode awaitDelivery(String callId) {
        String receiver = ConfigProvider.getConfig().getValue("test.webhook-receiver", String.class);
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode all = Json.MAPPER.readTree(given().get(receiver + "/received").asByteArray());
            for (JsonNode d : all) {
                if (d.get("body").asText().contains(callId)) {
                    found[0] = d;
                }
            }
            return found[0] != null;
        });
        return found[0];
    }

    private static String digits(int n) {
        StringBuilder b = new StringBuilder();
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            b.append(r.nextInt(10));
        }
        return b.toString();
    }
}
