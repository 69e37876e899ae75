package io.callstream.ivr.engine;

import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.DialExternal;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DialFailureReason;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.RecognizeSpeech;
import io.callstream.contracts.call.SpeechRecognized;
import io.callstream.contracts.ivr.InputOutcome;
import io.callstream.contracts.ivr.IvrInputCollected;
import io.callstream.contracts.ivr.IvrNodeEntered;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.IvrSessionStarted;
import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.contracts.ivr.SessionOutcome;
import io.callstream.contracts.ivr.UnboundNumberCalled;
import io.callstream.testkit.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IVR engine against real Kafka and PostgreSQL, with the test standing in for the gateway: every
 * command the engine sends is read off the command topic and answered with the event the gateway would
 * publish.
 */
@QuarkusTest
class IvrEngineTest {
    private static final String ADMIN = TestTokens.token("admin", "alice");
    private final FakeSwitch sw = new FakeSwitch();

    static final String FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "welcome"}},
              {"id": "welcome", "type": "play", "label": "Welcome", "settings": {"prompt": {"text": "Welcome, caller ${sys.callerNumber}."}},
               "exits": {"next": "order"}},
              {"id": "order", "type": "collectDigits", "label": "Order number",
               "settings": {"prompt": {"text": "Order number, then hash."}, "timeoutPrompt": {"text": "Nothing heard."},
                            "failurePrompt": {"text": "That is not an order number."}, "maxDigits": 8, "maxErrors": 2,
                            "variable": "orderid"},
               "exits": {"ok": "vip", "failed": "duty"}},
              {"id": "vip", "type": "condition", "label": "VIP?",
               "settings": {"conditions": [{"variable": "orderid", "operator": "STARTS_WITH", "value": "9", "exit": "vip"}]},
               "exits": {"vip": "tag", "default": "menu"}},
              {"id": "tag", "type": "setVariable", "settings": {"assignments": {"tier": "gold ${orderid}"}}, "exits": {"next": "menu"}},
              {"id": "menu", "type": "keyMenu", "label": "Main menu",
               "settings": {"prompt": {"text": "Order ${orderid}: 1 to rate us, 2 for the duty phone, 3 to say it."},
                            "errorPrompt": {"text": "No such option."}, "maxErrors": 2, "variable": "choice"},
               "exits": {"1": "survey", "2": "duty", "3": "speech"}},
              {"id": "speech", "type": "speechMenu", "label": "Say it",
               "settings": {"prompt": {"text": "Say billing."}, "keywords": {"billing": ["billing", "invoice"]}, "onMaxErrors": "exit"},
               "exits": {"billing": "survey", "failed": "bye"}},
              {"id": "survey", "type": "satisfaction", "label": "Survey",
               "settings": {"prompt": {"text": "1 satisfied, 0 not."}, "options": {"1": "satisfied", "0": "dissatisfied"}},
               "exits": {"next": "bye"}},
              {"id": "duty", "type": "transferExternal", "label": "Duty phone",
               "settings": {"callerNumber": "4001", "number": "13800000000", "ringTimeoutSeconds": 20},
               "exits": {"failed": "bye", "afterCall": "survey"}},
              {"id": "bye", "type": "end", "label": "Goodbye", "settings": {"prompt": {"text": "Goodbye."}}}
            ]}""";

    @Test
    void aCallerWalksTheFlowAndRatesTheService() {
        String number = publishAndBind(FLOW);
        String callId = sw.call("13912345678", number);

        IvrSessionStarted started = sw.awaitIvr(callId, IvrSessionStarted.class);
        assertEquals(1, started.flowVersion());
        sw.answer(callId);
        PlayPrompt welcome = sw.next(callId, PlayPrompt.class);
        assertEquals("Welcome, caller 13912345678.", welcome.prompt().text(), "system variables in prompts");
        sw.played(callId, welcome);

        CollectDigits order = sw.next(callId, CollectDigits.class);
        assertEquals(8, order.maxDigits());
        assertEquals("#", order.terminator());
        sw.send(new DigitsCollected(callId, order.commandId(), "9123", DigitsCompletion.TERMINATOR));

        CollectDigits menu = sw.next(callId, CollectDigits.class);
        assertEquals("Order 9123: 1 to rate us, 2 for the duty phone, 3 to say it.", menu.prompt().text());
        assertEquals(Integer.valueOf(1), menu.fixedLength());
        sw.send(new DigitsCollected(callId, menu.commandId(), "7", DigitsCompletion.LENGTH_REACHED)); // no such key
        PlayPrompt noSuch = sw.next(callId, PlayPrompt.class);
        assertEquals("No such option.", noSuch.prompt().text());
        sw.played(callId, noSuch);
        CollectDigits again = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, again.commandId(), "1", DigitsCompletion.LENGTH_REACHED));

        CollectDigits survey = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, survey.commandId(), "1", DigitsCompletion.LENGTH_REACHED));
        PlayPrompt bye = sw.next(callId, PlayPrompt.class);
        assertEquals("Goodbye.", bye.prompt().text());
        sw.played(callId, bye);
        sw.next(callId, HangUp.class);
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.SYSTEM));

        IvrSessionEnded ended = sw.awaitIvr(callId, IvrSessionEnded.class);
        assertEquals(SessionOutcome.COMPLETED, ended.outcome());
        assertEquals("9123", ended.variables().get("orderid"));
        assertEquals("gold 9123", ended.variables().get("tier"), "condition took the VIP exit, setVariable rendered");
        assertEquals("1", ended.variables().get("choice"));
        assertEquals("satisfied", ended.variables().get("satisfactionLabel"));
        SatisfactionCollected rating = sw.awaitIvr(callId, SatisfactionCollected.class);
        assertEquals("1", rating.key());
        assertEquals("satisfied", rating.label());
        assertFalse(rating.noInput());
        List<String> path = sw.ivrEvents(callId, IvrNodeEntered.class).stream().map(IvrNodeEntered::nodeId).toList();
        assertEquals(List.of("start", "welcome", "order", "vip", "tag", "menu", "survey", "bye"), path);
        assertTrue(sw.ivrEvents(callId, IvrInputCollected.class).stream()
                .anyMatch(i -> "menu".equals(i.nodeId()) && i.outcome() == InputOutcome.INVALID && "7".equals(i.input())));
    }

    @Test
    void noInputAndWrongInputReplayTheirPromptsThenMaxErrorsTakesTheFailureExit() {
        String number = publishAndBind(FLOW);
        String callId = sw.call("13900000002", number);
        sw.answer(callId);
        sw.played(callId, sw.next(callId, PlayPrompt.class));

        CollectDigits first = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, first.commandId(), "", DigitsCompletion.TIMEOUT));
        PlayPrompt nothing = sw.next(callId, PlayPrompt.class);
        assertEquals("Nothing heard.", nothing.prompt().text());
        sw.played(callId, nothing);
        CollectDigits second = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, second.commandId(), "12*4", DigitsCompletion.TERMINATOR)); // * not allowed
        PlayPrompt failure = sw.next(callId, PlayPrompt.class);
        assertEquals("That is not an order number.", failure.prompt().text());
        sw.played(callId, failure);

        // failure exit → duty phone, which fails → goodbye
        DialExternal dial = sw.next(callId, DialExternal.class);
        assertEquals("13800000000", dial.number());
        assertEquals("4001", dial.callerId());
        sw.send(new DialFailed(callId, dial.commandId(), null, "13800000000", DialFailureReason.BUSY));
        sw.played(callId, sw.next(callId, PlayPrompt.class));
        sw.next(callId, HangUp.class);
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.SYSTEM));
        assertEquals(SessionOutcome.COMPLETED, sw.awaitIvr(callId, IvrSessionEnded.class).outcome());
        assertTrue(sw.ivrEvents(callId, IvrInputCollected.class).stream()
                .anyMatch(i -> "order".equals(i.nodeId()) && i.outcome() == InputOutcome.MAX_ERRORS));
    }

    @Test
    void afterTheTransferredCallTheCallerRatesItAndSpeechMenusMatchKeywords() {
        String number = publishAndBind(FLOW);
        String callId = sw.call("13900000003", number);
        sw.answer(callId);
        sw.played(callId, sw.next(callId, PlayPrompt.class));
        CollectDigits order = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, order.commandId(), "55", DigitsCompletion.TERMINATOR));
        CollectDigits menu = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, menu.commandId(), "3", DigitsCompletion.LENGTH_REACHED));
        RecognizeSpeech speech = sw.next(callId, RecognizeSpeech.class);
        sw.send(new SpeechRecognized(callId, speech.commandId(), "I have a question about my Invoice", 0.9));
        CollectDigits survey = sw.next(callId, CollectDigits.class);
        // the caller hangs up during the survey: a no-input satisfaction record, session ended by the caller
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.CALLER));
        IvrSessionEnded ended = sw.awaitIvr(callId, IvrSessionEnded.class);
        assertEquals(SessionOutcome.CALLER_HUNG_UP, ended.outcome());
        assertEquals("survey", ended.lastNodeId());
        SatisfactionCollected none = sw.awaitIvr(callId, SatisfactionCollected.class);
        assertTrue(none.noInput());
        assertNull(none.key());
        // late results for the survey's command, once processed, change nothing
        String late1 = sw.send(new DigitsCollected(callId, survey.commandId(), "1", DigitsCompletion.LENGTH_REACHED));
        String late2 = sw.send(new BridgeEnded(callId, survey.commandId(), null, "x", HangupParty.CALLEE, 1000L));
        await().atMost(Duration.ofSeconds(30)).until(() -> processed(late1) && processed(late2));
        assertEquals(1, sw.ivrEvents(callId, SatisfactionCollected.class).size());
        assertEquals(1, sw.ivrEvents(callId, IvrSessionEnded.class).size());
    }

    @Test
    void aCallKeepsTheFlowVersionItStartedWith() {
        String name = "Versions " + UUID.randomUUID();
        String id = create(FLOW.replace("NAME", name));
        publish(id);
        String number = bind(id);
        String callId = sw.call("13900000004", number);
        sw.answer(callId);
        PlayPrompt welcome = sw.next(callId, PlayPrompt.class);

        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(FLOW.replace("NAME", name).replace("Order number, then hash.", "Version two asks differently."))
                .put("/api/v1/flows/" + id).then().statusCode(200);
        publish(id);

        sw.played(callId, welcome);
        assertEquals("Order number, then hash.", sw.next(callId, CollectDigits.class).prompt().text());
        String newCall = sw.call("13900000005", number);
        sw.answer(newCall);
        sw.played(newCall, sw.next(newCall, PlayPrompt.class));
        assertEquals("Version two asks differently.", sw.next(newCall, CollectDigits.class).prompt().text());
        assertEquals(2, sw.awaitIvr(newCall, IvrSessionStarted.class).flowVersion());

        // a flow that calls are running cannot be deleted (nor while bound)
        given().auth().oauth2(ADMIN).delete("/api/v1/numbers/" + number).then().statusCode(204);
        given().auth().oauth2(ADMIN).delete("/api/v1/flows/" + id).then().statusCode(409);
    }

    @Test
    void aNumberBoundToNoFlowHearsTheDefaultMessageAndIsHungUp() {
        String number = "+8675500" + (10_000 + (int) (Math.random() * 80_000));
        String callId = sw.call("13900000006", number);
        UnboundNumberCalled unbound = sw.awaitIvr(callId, UnboundNumberCalled.class);
        assertEquals(number, unbound.calledNumber());
        sw.next(callId, AnswerCall.class);
        assertEquals("Sorry, this number is not in service. Goodbye.", sw.next(callId, PlayPrompt.class).prompt().text());
        sw.next(callId, HangUp.class);
    }

    @Test
    void anOutboundCallRunsTheFlowItsOriginateNamesWithTheCalleesVariables() {
        String id = create("""
                {"name": "NAME", "kind": "OUTBOUND", "nodes": [
                  {"id": "start", "type": "start", "exits": {"next": "remind"}},
                  {"id": "remind", "type": "play", "settings": {"prompt": {"text": "Hello ${name}, renewal on ${date}."}}, "exits": {"next": "bye"}},
                  {"id": "bye", "type": "end"}
                ]}""".replace("NAME", "Outbound " + UUID.randomUUID()));
        publish(id);
        String callId = sw.callOutbound("13900000007", Map.of("callstream.flowId", id, "name", "Li Lei", "date", "1 May"));
        PlayPrompt remind = sw.next(callId, PlayPrompt.class); // outbound legs are answered already
        assertEquals("Hello Li Lei, renewal on 1 May.", remind.prompt().text());
        sw.played(callId, remind);
        sw.next(callId, HangUp.class);
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.SYSTEM));
        IvrSessionEnded ended = sw.awaitIvr(callId, IvrSessionEnded.class);
        assertEquals(SessionOutcome.COMPLETED, ended.outcome());
        assertEquals("Li Lei", ended.variables().get("name"));
        assertFalse(ended.variables().containsKey("callstream.flowId"));
    }

    @Inject
    EntityManager em;

    /** Whether the engine's consumer has processed the event (its processed-event row is committed). */
    private boolean processed(String eventId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM processed_event WHERE consumer = 'ivr-engine' AND event_id = ?1")
                .setParameter(1, eventId).getSingleResult()).intValue() == 1);
    }

    private String publishAndBind(String flow) {
        String id = create(flow.replace("NAME", "Engine " + UUID.randomUUID()));
        publish(id);
        return bind(id);
    }

    private static String create(String flow) {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(flow).post("/api/v1/flows")
                .then().statusCode(201).extract().path("id");
    }

    private static void publish(String id) {
        given().auth().oauth2(ADMIN).post("/api/v1/flows/" + id + "/versions").then().statusCode(201);
    }

    private static String bind(String id) {
        String number = "4" + (1_000_000 + (int) (Math.random() * 8_000_000));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"flowId\": \"" + id + "\"}")
                .put("/api/v1/numbers/" + number).then().statusCode(200);
        return number;
    }
}
