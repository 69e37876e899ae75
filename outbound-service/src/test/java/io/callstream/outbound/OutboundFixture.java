package io.callstream.outbound;

import com.sun.net.httpserver.HttpServer;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.Originate;
import io.callstream.contracts.call.OriginateFailed;
import io.callstream.contracts.call.OriginateOutcome;
import io.callstream.contracts.ivr.FlowChanged;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.ivr.SessionOutcome;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestTokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/**
 * What outbound tests share: tokens, an announced outbound flow, caller numbers, the test playing the
 * gateway and the IVR on Kafka (answering originates), and a real HTTP receiver for callbacks.
 */
public final class OutboundFixture {
    public static final String INTEGRATION = TestTokens.token("integration", "crm");
    public static final String ADMIN = TestTokens.token("admin", "alice");
    public static final String SECRET = "callback-secret-0123456789";

    public final KafkaEvents kafka = KafkaEvents.shared();
    private final Set<String> answered = new HashSet<>();

    public static RestAssuredRequest as(String token) {
        return new RestAssuredRequest(token);
    }

    /** rest-assured with a bearer token and JSON. */
    public record RestAssuredRequest(String token) {
        public io.restassured.specification.RequestSpecification json() {
            return RestAssured.given().auth().oauth2(token).contentType(ContentType.JSON);
        }
    }

    /** ivr-service's announcement of a flow, and waits until outbound-service accepts tasks naming it. */
    public String flow(String kind, Integer version, boolean deleted) {
        String id = UUID.randomUUID().toString();
        kafka.send(Topics.IVR_EVENTS, FlowChanged.TYPE, id, new FlowChanged(id, "renewal " + id.substring(0, 6), kind,
                version, deleted, Instant.now()));
        return id;
    }

    public String outboundFlow() {
        String id = flow("OUTBOUND", 1, false);
        await().atMost(Duration.ofSeconds(30)).until(() -> known(id));
        return id;
    }

    private boolean known(String flowId) {
        Response r = as(INTEGRATION).json().body(Map.of("name", "probe", "flowId", flowId, "callerNumbers", List.of("1"),
                "maxCallsPerSecond", -1)).post("/api/v1/tasks");
        // refused anyway (bad caller number and rate); the flowId is refused only while the flow is unknown
        return r.statusCode() == 400 && !r.asString().contains("\"field\":\"flowId\"");
    }

    public void callerNumber(String number, int maxConcurrent) {
        as(ADMIN).json().body(Map.of("maxConcurrentCalls", maxConcurrent)).put("/api/v1/caller-numbers/" + number)
                .then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
    }

    public static Map<String, Object> callee(String number) {
        return Map.of("number", number);
    }

    public static Map<String, Object> callee(String number, Map<String, String> variables) {
        return Map.of("number", number, "variables", variables);
    }

    /** A task body builder: the fields tests vary, the rest at their defaults. */
    public static TaskBody task(String flowId, List<String> callers, List<Map<String, Object>> callees) {
        return new TaskBody(new java.util.LinkedHashMap<>(Map.of("name", "Renewal reminders", "flowId", flowId,
                "callerNumbers", callers, "callees", callees, "maxCallsPerSecond", 20, "maxConcurrentCalls", 10)));
    }

    /** A mutable task request. */
    public record TaskBody(Map<String, Object> fields) {
        public TaskBody with(String field, Object value) {
            fields.put(field, value);
            return this;
        }

        public TaskBody notBefore(Instant t) {
            return with("notBefore", t.toString());
        }

        public Map<String, Object> build() {
            return fields;
        }
    }

    // ------------------------------------------------------------------ the gateway and the IVR

    /** The originates of a task so far, oldest first. */
    public List<Originate> originates(String taskId) {
        List<Originate> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : kafka.readToEndCached(Topics.CALL_COMMANDS)) {
            if (Originate.TYPE.equals(KafkaEvents.header(r, "ce_type"))) {
                Originate o = Json.read(r.value(), Originate.class);
                if (taskId.equals(o.variables().get("callstream.taskId"))) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** Waits for the task's {@code n}-th originate (from 1). */
    public Originate awaitOriginate(String taskId, int n) {
        List<Originate> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            seen.clear();
            seen.addAll(originates(taskId));
            return seen.size() >= n;
        });
        return seen.get(n - 1);
    }

    /** The gateway reports the originate failed. */
    public void fail(Originate o, OriginateOutcome why) {
        kafka.send(Topics.CALL_EVENTS, OriginateFailed.TYPE, o.callId(), new OriginateFailed(o.callId(), o.commandId(),
                o.attemptId(), why, why == OriginateOutcome.BUSY ? 5 : 3));
    }

    /** The callee answers; the outbound flow collects {@code keys} at node confirm; then the call ends. */
    public void answerAndPress(Originate o, String keys) {
        kafka.send(Topics.CALL_EVENTS, CallStarted.TYPE, o.callId(), new CallStarted(o.callId(), CallDirection.OUTBOUND,
                o.callerNumber(), o.calleeNumber(), "PJSIP/trunk-" + o.attemptId(), "u-" + o.attemptId(), "gw-1",
                o.attemptId(), o.variables()));
        Map<String, String> vars = new java.util.LinkedHashMap<>(o.variables());
        vars.put("confirm", keys);
        kafka.send(Topics.IVR_EVENTS, IvrSessionEnded.TYPE, o.callId(), new IvrSessionEnded(o.callId(), "s-" + o.callId(),
                SessionOutcome.COMPLETED, "end", vars, List.of(new KeyPress("confirm", "Confirm renewal", keys, Instant.now()))));
        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, o.callId(), new CallEnded(o.callId(), 16, "Normal Clearing",
                HangupParty.SYSTEM));
        answered.add(o.attemptId());
    }

    /** The callee answers and stays on the line (the call goes on). */
    public void answer(Originate o) {
        kafka.send(Topics.CALL_EVENTS, CallStarted.TYPE, o.callId(), new CallStarted(o.callId(), CallDirection.OUTBOUND,
                o.callerNumber(), o.calleeNumber(), "PJSIP/trunk-" + o.attemptId(), "u-" + o.attemptId(), "gw-1",
                o.attemptId(), o.variables()));
    }

    public void hangUp(Originate o) {
        kafka.send(Topics.CALL_EVENTS, CallEnded.TYPE, o.callId(), new CallEnded(o.callId(), 16, "Normal Clearing",
                HangupParty.CALLEE));
    }

    /** The outbound events of a task of one type. */
    public <T> List<T> events(String taskId, String type, Class<T> data) {
        return kafka.readToEndCached(Topics.OUTBOUND_EVENTS).stream()
                .filter(r -> taskId.equals(r.key()) && type.equals(KafkaEvents.header(r, "ce_type")))
                .map(r -> Json.read(r.value(), data)).toList();
    }

    // ------------------------------------------------------------------ callbacks

    /** A business system's HTTP endpoint on this machine: stores every callback with its headers. */
    public static final class CallbackReceiver implements AutoCloseable {
        /** One delivery as received. */
        public record Delivery(Map<String, String> headers, byte[] body) {
            public String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }
        }

        private final HttpServer server;
        public final List<Delivery> received = new CopyOnWriteArrayList<>();

        public CallbackReceiver() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/results", exchange -> {
                Map<String, String> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
                received.add(new Delivery(headers, exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        public String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/results";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
