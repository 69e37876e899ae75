package io.callstream.ivr.engine;

import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.PromptPlayed;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The test's stand-in for the telephony gateway, over real Kafka: places calls (CallStarted), reads
 * the commands ivr-service sends for each call in order, and answers them with result events.
 */
public final class FakeSwitch {
    private final KafkaEvents kafka = KafkaEvents.shared();
    private final Map<String, Integer> commandsRead = new HashMap<>();
    private final Map<String, Integer> eventsRead = new HashMap<>();

    public String call(String from, String to) {
        String callId = UUID.randomUUID().toString();
        send(new CallStarted(callId, CallDirection.INBOUND, from, to, "PJSIP/" + from + "-1", "1.1", "gw-test", null, null));
        return callId;
    }

    public String callOutbound(String to, Map<String, String> variables) {
        String callId = UUID.randomUUID().toString();
        send(new CallStarted(callId, CallDirection.OUTBOUND, "4001", to, "PJSIP/carrier-1", "2.2", "gw-test",
                UUID.randomUUID().toString(), variables));
        return callId;
    }

    /** Answers the inbound call's AnswerCall, which must be its next command. */
    public void answer(String callId) {
        AnswerCall answer = next(callId, AnswerCall.class);
        send(new CallAnswered(callId, answer.commandId()));
    }

    /** Reports the prompt played to its end. */
    public void played(String callId, PlayPrompt prompt) {
        send(new PromptPlayed(callId, prompt.commandId(), null));
    }

    /**
     * Creates {@code flow} (its {@code NAME} replaced by a unique name), publishes it and binds a fresh
     * random number to it over REST; returns the number. A refusal fails with the service's answer.
     */
    public static String publishAndBind(String flow) {
        String admin = TestTokens.token("admin", "alice");
        Response created = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(flow.replace("NAME", "Test flow " + UUID.randomUUID())).post("/api/v1/flows");
        assertEquals(201, created.statusCode(), "the flow was refused: " + created.asString());
        String id = created.path("id");
        Response published = given().auth().oauth2(admin).post("/api/v1/flows/" + id + "/versions");
        assertEquals(201, published.statusCode(), "publishing: " + published.asString());
        String number = "8620" + ThreadLocalRandom.current().nextLong(100_000_000L, 1_000_000_000L);
        Response bound = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body("{\"flowId\": \"" + id + "\"}").put("/api/v1/numbers/" + number);
        assertEquals(200, bound.statusCode(), "binding: " + bound.asString());
        return number;
    }

    /** Sends an event (a call event as the gateway would, or routing's) to its topic; returns its event id. */
    public String send(Record event) {
        var type = EventCatalog.of(event.getClass());
        return kafka.send(type.topic(), type.type(), callIdOf(event), event);
    }

    /** The call's next command, which must be of {@code type}. */
    public <T> T next(String callId, Class<T> type) {
        ConsumerRecord<String, byte[]> r = nextRecord(Topics.CALL_COMMANDS, callId, commandsRead);
        assertEquals(EventCatalog.of(type).type(), KafkaEvents.header(r, CloudEventsKafka.TYPE),
                "the next command of call " + callId);
        return Json.read(r.value(), type);
    }

    /** The call's next IVR event, which must be of {@code type}. */
    public <T> T nextIvr(String callId, Class<T> type) {
        ConsumerRecord<String, byte[]> r = nextRecord(Topics.IVR_EVENTS, callId, eventsRead);
        assertEquals(EventCatalog.of(type).type(), KafkaEvents.header(r, CloudEventsKafka.TYPE),
                "the next IVR event of call " + callId);
        return Json.read(r.value(), type);
    }

    /** The first IVR event of {@code type} of the call, whenever it came (does not move the cursor). */
    public <T> T awaitIvr(String callId, Class<T> type) {
        String ceType = EventCatalog.of(type).type();
        return Json.read(kafka.awaitRecord(Topics.IVR_EVENTS, r -> callId.equals(r.key())
                && ceType.equals(KafkaEvents.header(r, CloudEventsKafka.TYPE))).value(), type);
    }

    /** Every IVR event of {@code type} the call has now. */
    public <T> List<T> ivrEvents(String callId, Class<T> type) {
        String ceType = EventCatalog.of(type).type();
        return kafka.readToEndCached(Topics.IVR_EVENTS).stream()
                .filter(r -> callId.equals(r.key()) && ceType.equals(KafkaEvents.header(r, CloudEventsKafka.TYPE)))
                .map(r -> Json.read(r.value(), type)).toList();
    }

    private ConsumerRecord<String, byte[]> nextRecord(String topic, String callId, Map<String, Integer> cursors) {
        int seen = cursors.getOrDefault(callId, 0);
        List<ConsumerRecord<String, byte[]>>[] found = new List[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            found[0] = kafka.readToEndCached(topic).stream().filter(r -> callId.equals(r.key())).toList();
            return found[0].size() > seen;
        });
        cursors.put(callId, seen + 1);
        return found[0].get(seen);
    }

    private static String callIdOf(Record event) {
        try {
            return (String) event.getClass().getMethod("callId").invoke(event);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
