package io.callstream.ivr.engine;

import com.sun.net.httpserver.HttpServer;
import io.callstream.contracts.Json;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.DialExternal;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.testkit.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP-call node against a real local HTTP server that answers well, slowly, or with garbage. */
@QuarkusTest
class HttpCallNodeTest {
    private static final String ADMIN = TestTokens.token("admin", "alice");
    private static HttpServer server;
    private static final List<Map<?, ?>> received = new CopyOnWriteArrayList<>();
    private static final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    private final FakeSwitch sw = new FakeSwitch();

    @BeforeAll
    static void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/orders", exchange -> {
            Map<?, ?> body = Json.MAPPER.readValue(exchange.getRequestBody(), Map.class);
            received.add(body);
            String order = String.valueOf(body.get("orderId"));
            int attempt = tries.computeIfAbsent(order, k -> new AtomicInteger()).incrementAndGet();
            String reply;
            int status = 200;
            if (order.startsWith("slow") && attempt == 1) {
                pause(2500); // longer than the node's 1 s timeout: the first try fails, the second answers
                reply = "{\"order\": {\"type\": \"too late\"}}";
            } else if (order.startsWith("garbage")) {
                reply = "<html>not json</html>";
            } else if (order.startsWith("down")) {
                status = 503;
                reply = "{}";
            } else {
                reply = "{\"order\": {\"type\": \"vip\", \"items\": [{\"sku\": \"A-1\"}]}, \"caller\": \""
                        + body.get("caller") + "\"}";
            }
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException clientGone) {
                // the gateway's try timed out and hung up: fine
            }
        });
        server.createContext("/duty", exchange -> {
            Map<?, ?> body = Json.MAPPER.readValue(exchange.getRequestBody(), Map.class);
            received.add(body);
            Map<?, ?> vars = (Map<?, ?>) body.get("variables");
            String reply = "broken".equals(vars.get("mode")) ? "{\"number\": \"call me maybe\"}"
                    : "{\"number\": \"13700000000\"}";
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    @Test
    void transferExternalDialsTheNumberItsCallbackGivesOrTheFallback() {
        String flow = """
                {"name": "NAME", "kind": "OUTBOUND", "nodes": [
                  {"id": "start", "type": "start", "exits": {"next": "duty"}},
                  {"id": "duty", "type": "transferExternal",
                   "settings": {"callerNumber": "4001", "numberUrl": "URL/duty", "fallbackNumber": "13800000000"},
                   "exits": {"failed": "bye"}},
                  {"id": "bye", "type": "end"}
                ]}""".replace("NAME", "Duty " + UUID.randomUUID()).replace("URL", "http://127.0.0.1:" + server.getAddress().getPort());
        String flowId = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(flow)
                .post("/api/v1/flows").then().statusCode(201).extract().path("id");
        given().auth().oauth2(ADMIN).post("/api/v1/flows/" + flowId + "/versions").then().statusCode(201);

        String fetched = sw.callOutbound("13900000015", Map.of("callstream.flowId", flowId, "mode", "ok"));
        DialExternal dial = sw.next(fetched, DialExternal.class);
        assertEquals("13700000000", dial.number(), "the number the callback gave");
        assertEquals("4001", dial.callerId());
        Map<?, ?> asked = received.stream().filter(b -> fetched.equals(b.get("callId"))).findFirst().orElseThrow();
        assertEquals("ok", ((Map<?, ?>) asked.get("variables")).get("mode"), "the callback gets the call's variables");

        String broken = sw.callOutbound("13900000016", Map.of("callstream.flowId", flowId, "mode", "broken"));
        assertEquals("13800000000", sw.next(broken, DialExternal.class).number(), "not a number: the fallback");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the fake business server being slow, not the test waiting
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final String FLOW = """
            {"name": "NAME", "kind": "OUTBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "lookup"}},
              {"id": "lookup", "type": "httpCall", "label": "Look up",
               "settings": {"url": "URL/orders", "headers": {"X-Order": "${orderid}"},
                            "body": {"orderId": "${orderid}", "caller": "${sys.callerNumber}", "n": 7},
                            "outputs": {"type": {"path": "order.type", "default": "normal"},
                                        "sku": {"path": "order.items.0.sku", "default": "none"}},
                            "timeoutSeconds": 1, "maxErrors": 2},
               "exits": {"next": "say"}},
              {"id": "say", "type": "play", "settings": {"prompt": {"text": "type ${type}, sku ${sku}"}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void replyFieldsBecomeVariablesSlowTriesAreRetriedAndFailuresFallBackToDefaults() {
        String flowId = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(FLOW.replace("NAME", "HTTP " + UUID.randomUUID())
                        .replace("URL", "http://127.0.0.1:" + server.getAddress().getPort()))
                .post("/api/v1/flows").then().statusCode(201).extract().path("id");
        given().auth().oauth2(ADMIN).post("/api/v1/flows/" + flowId + "/versions").then().statusCode(201);

        String ok = "ok-" + UUID.randomUUID();
        String slow = "slow-" + UUID.randomUUID();
        String garbage = "garbage-" + UUID.randomUUID();
        String down = "down-" + UUID.randomUUID();
        String okCall = sw.callOutbound("13900000011", Map.of("callstream.flowId", flowId, "orderid", ok));
        String slowCall = sw.callOutbound("13900000012", Map.of("callstream.flowId", flowId, "orderid", slow));
        String garbageCall = sw.callOutbound("13900000013", Map.of("callstream.flowId", flowId, "orderid", garbage));
        String downCall = sw.callOutbound("13900000014", Map.of("callstream.flowId", flowId, "orderid", down));

        assertEquals("type vip, sku A-1", sw.next(okCall, PlayPrompt.class).prompt().text());
        assertEquals("type vip, sku A-1", sw.next(slowCall, PlayPrompt.class).prompt().text(),
                "the first try timed out, the second answered");
        assertEquals("type normal, sku none", sw.next(garbageCall, PlayPrompt.class).prompt().text(),
                "a reply that is not JSON, twice: defaults");
        assertEquals("type normal, sku none", sw.next(downCall, PlayPrompt.class).prompt().text());

        assertEquals(2, tries.get(slow).get());
        assertEquals(2, tries.get(garbage).get(), "maxErrors 2: two tries");
        assertEquals(1, tries.get(ok).get());
        Map<?, ?> sent = received.stream().filter(b -> ok.equals(b.get("orderId"))).findFirst().orElseThrow();
        assertEquals("4001", sent.get("caller"), "templated body fields (an outbound call comes from our number)");
        assertEquals(7, sent.get("n"), "a number stays a number");
        assertTrue(sw.ivrEvents(okCall, io.callstream.contracts.ivr.IvrVariableSet.class).stream()
                .anyMatch(v -> "type".equals(v.name()) && "vip".equals(v.value())));
    }
}
