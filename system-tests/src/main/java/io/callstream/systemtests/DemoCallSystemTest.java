package io.callstream.systemtests;

import static io.callstream.systemtests.SystemChecks.await;
import static io.callstream.systemtests.SystemChecks.check;
import static io.callstream.systemtests.SystemChecks.count;
import static io.callstream.systemtests.SystemChecks.finish;
import static io.callstream.systemtests.SystemChecks.get;
import static io.callstream.systemtests.SystemChecks.prompts;
import static io.callstream.systemtests.SystemChecks.send;
import static io.callstream.systemtests.SystemChecks.status;
import static io.callstream.systemtests.SystemChecks.transcript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.callstream.contracts.Json;
import io.callstream.servicekit.webhook.WebhookSignature;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The shipped inbound demo flow, end to end through the real stack: pbx-simulator as the switch,
 * telephony-gateway, ivr-service, Kafka and PostgreSQL. A scripted caller dials the order line, keys an
 * order number, hears the business API's answer, is out of hours and goes to the duty phone. While the
 * caller is at the order-number prompt, ivr-service is killed outright (SIGKILL) and started again: the
 * keys pressed meanwhile must still move the call on, at the right node, with nothing played twice.
 * Then the call record must be there (over REST and, signed, on the webhook).
 *
 * <p>Arguments (key=value): ivr, pbx (base URLs), token (admin JWT), pid (ivr-service's), pidFile,
 * log (where the restarted service writes), api (port of the business-API stand-in and webhook
 * receiver), secret (the webhook secret the service was given). Prints each check; exits 1 on a failure.
 */
public final class DemoCallSystemTest {

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String ivr = a.get("ivr");
        String pbx = a.get("pbx");
        String token = a.get("token");
        int apiPort = Integer.parseInt(a.get("api"));

        // the business system: the order look-up the flow calls, and the call-record webhook
        List<JsonNode> lookups = new CopyOnWriteArrayList<>();
        List<Map<String, String>> deliveries = new CopyOnWriteArrayList<>();
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", apiPort), 0);
        api.createContext("/orders/lookup", ex -> {
            lookups.add(Json.MAPPER.readTree(ex.getRequestBody().readAllBytes()));
            byte[] reply = "{\"type\": \"unknown\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, reply.length);
            ex.getResponseBody().write(reply);
            ex.close();
        });
        api.createContext("/records", ex -> {
            Map<String, String> d = new HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> d.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            d.put("body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            deliveries.add(d);
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        api.start();

        // the shipped flow, pointed at the stand-in API, and closed today (a holiday) so it goes to the duty phone
        ObjectNode flow;
        try (InputStream in = DemoCallSystemTest.class.getResourceAsStream("/flows/inbound-order-line.json")) {
            flow = (ObjectNode) Json.MAPPER.readTree(in);
        }
        flow.put("name", "Order line (system test " + Instant.now() + ")");
        for (JsonNode node : flow.get("nodes")) {
            ObjectNode settings = (ObjectNode) node.get("settings");
            if ("lookup".equals(node.get("id").asText())) {
                settings.put("url", "http://127.0.0.1:" + apiPort + "/orders/lookup");
            }
            if ("hours".equals(node.get("id").asText())) {
                LocalDate today = LocalDate.now(ZoneId.of("Asia/Shanghai"));
                ArrayNode holidays = settings.putArray("holidays");
                holidays.add(today.toString()).add(today.plusDays(1).toString());
            }
        }
        JsonNode created = send("POST", ivr + "/api/v1/flows/import", token, flow, 201);
        String flowId = created.get("id").asText();
        send("POST", ivr + "/api/v1/flows/" + flowId + "/versions", token, null, 201);
        String number = "4" + (100 + (int) (Math.random() * 800));
        send("PUT", ivr + "/api/v1/numbers/" + number, token, Json.MAPPER.createObjectNode().put("flowId", flowId), 200);
        System.out.println("flow " + flowId + " published and bound to " + number);

        // the caller: listens, keys the order number a few seconds after the prompt (while the service is down)
        String caller = "1380" + (1_000_000 + (int) (Math.random() * 8_999_999));
        String script = """
                {"from": "%s", "to": "%s", "steps": [
                  {"awaitPrompt": "Welcome to the order line"},
                  {"awaitPrompt": "order number"},
                  {"waitMs": 3000},
                  {"press": "12345#"},
                  {"awaitPrompt": "could not find order 12345", "timeoutMs": 90000},
                  {"awaitPrompt": "duty phone"},
                  {"awaitEnd": true, "timeoutMs": 60000}
                ]}""".formatted(caller, number);
        String callId = send("POST", pbx + "/calls", null, Json.MAPPER.readTree(script), 201).get("id").asText();
        System.out.println("call " + callId + " from " + caller);

        await(Duration.ofSeconds(30), "the order-number prompt", () -> prompts(pbx, callId).stream()
                .anyMatch(p -> p.contains("order number")));
        ServiceProcess service = ServiceProcess.of(Long.parseLong(a.get("pid")));
        service.kill();
        Instant killed = Instant.now();
        System.out.println("ivr-service killed (SIGKILL) at the order-number prompt");
        service.startAgain(Path.of(a.get("log")), Path.of(a.get("pidFile")));
        await(Duration.ofSeconds(120), "ivr-service ready again", () -> status(ivr + "/q/health/ready") == 200);
        System.out.printf("ivr-service restarted and ready after %.1f s%n", Duration.between(killed, Instant.now()).toMillis() / 1000.0);

        await(Duration.ofSeconds(120), "the call's end", () -> transcript(pbx, callId).get("endedAt") != null
                && !transcript(pbx, callId).get("endedAt").isNull());
        JsonNode t = transcript(pbx, callId);
        List<String> prompts = prompts(pbx, callId);
        System.out.println("transcript prompts: " + prompts);
        check(t.get("error") == null || t.get("error").isNull(), "the caller's script ran to its end ("
                + (t.get("error") == null ? "" : t.get("error").asText()) + ")");
        check(count(prompts, "order number") == 1, "the order-number prompt played once (not again after the restart)");
        check(count(prompts, "could not find order 12345") == 1, "the business API's answer (type unknown) was used");
        check(count(prompts, "duty phone") == 1, "out of hours: the hold prompt before the duty phone");
        check(t.get("bridged").asBoolean(), "the caller was bridged with the duty phone");
        check(lookups.size() == 1 && "12345".equals(lookups.get(0).get("orderId").asText())
                && caller.equals(lookups.get(0).get("caller").asText()), "the order look-up got orderId 12345 and the caller, once: " + lookups);

        JsonNode[] record = new JsonNode[1];
        await(Duration.ofSeconds(30), "the call record's end status", () -> {
            JsonNode page = get(ivr + "/api/v1/call-records?number=" + caller, token);
            record[0] = page.get("items").size() == 1 ? page.get("items").get(0) : null;
            return record[0] != null && record[0].hasNonNull("endStatus");
        });
        JsonNode r = record[0];
        System.out.println("call record: " + r);
        check("TRANSFERRED".equals(r.get("endStatus").asText()), "record: end status TRANSFERRED");
        check("13800000000".equals(r.path("transferredTo").asText()), "record: transferred to the duty phone");
        check(r.get("keyTrail").size() == 1 && "12345".equals(r.get("keyTrail").get(0).get("keys").asText())
                && "Order number".equals(r.get("keyTrail").get(0).get("label").asText()), "record: key trail 12345 at 'Order number'");
        check("unknown".equals(r.path("variables").path("type").asText()), "record: the final variables");
        Instant keysTaken = Instant.parse(r.get("keyTrail").get(0).get("at").asText());
        System.out.printf("the restarted service took the keys pressed while it was down %.1f s after the kill%n",
                Duration.between(killed, keysTaken).toMillis() / 1000.0);
        check(r.hasNonNull("answeredAt") && r.hasNonNull("ivrEndedAt") && r.hasNonNull("endedAt"), "record: timestamps");

        String recordCallId = r.get("callId").asText();
        await(Duration.ofSeconds(30), "the webhook delivery", () -> deliveries.stream().anyMatch(d -> d.get("body").contains(recordCallId)));
        Map<String, String> d = deliveries.stream().filter(x -> x.get("body").contains(recordCallId)).findFirst().orElseThrow();
        check(WebhookSignature.verify(a.get("secret"), d.get("callstream-timestamp"), d.get("callstream-signature"),
                d.get("body").getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5), Instant.now()), "webhook: the record, signed");
        api.stop(0);
        finish("demo-call");
    }

    private DemoCallSystemTest() {
    }
}
