package io.callstream.outbound.service;

import io.callstream.outbound.OutboundFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.callstream.outbound.OutboundFixture.ADMIN;
import static io.callstream.outbound.OutboundFixture.INTEGRATION;
import static io.callstream.outbound.OutboundFixture.as;
import static io.callstream.outbound.OutboundFixture.callee;
import static io.callstream.outbound.OutboundFixture.task;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a 4xx problem naming the field or row, and nothing is created; uploads in CSV and NDJSON. */
@QuarkusTest
class OutboundInputTest {
    private final OutboundFixture fx = new OutboundFixture();
    private String flow;
    private String caller;

    static String number() {
        return "1" + (3_000_000_000L + ThreadLocalRandom.current().nextLong(6_000_000_000L));
    }

    @BeforeEach
    void platform() {
        flow = fx.outboundFlow();
        caller = number();
        fx.callerNumber(caller, 5);
    }

    private long taskCount() {
        return as(ADMIN).json().queryParam("size", 1).get("/api/v1/tasks").then().statusCode(200).extract()
                .jsonPath().getLong("total");
    }

    /** Posts the task and expects 400 naming {@code field}. */
    private void refused(Map<String, Object> body, String field, String messagePart) {
        long before = taskCount();
        as(INTEGRATION).json().body(body).post("/api/v1/tasks").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem(field))
                .body("errors.find { it.field == '" + field + "' }.message", containsString(messagePart));
        assertEquals(before, taskCount(), "nothing created");
    }

    private OutboundFixture.TaskBody ok() {
        return task(flow, List.of(caller), List.of(callee(number()))).notBefore(Instant.now().plus(Duration.ofHours(1)));
    }

    @Test
    void everyBadFieldIsNamedAndNothingIsCreated() {
        refused(ok().with("callees", List.of(callee("12ab"))).build(), "callees[0]", "not a phone number");
        refused(ok().with("callees", List.of(callee(number()), callee(number(), Map.of("=cmd|x", "1")))).build(),
                "callees[1]", "variables");
        refused(ok().with("notBefore", "2030-01-02T00:00:00Z").with("notAfter", "2030-01-01T00:00:00Z").build(),
                "notAfter", "after notBefore");
        refused(ok().with("weekdays", List.of("SAT")).with("timeZone", "Asia/Shanghai")
                .with("notBefore", "2030-01-07T01:00:00Z").with("notAfter", "2030-01-09T01:00:00Z").build(),
                "windows", "no window opens");
        refused(ok().with("windows", List.of(Map.of("start", "09:00", "end", "09:00"))).build(), "windows[0]", "empty");
        refused(ok().with("windows", List.of(Map.of("start", "25:00", "end", "26:00"))).build(), "windows[0]", "time of day");
        refused(ok().with("timeZone", "Mars/Olympus").build(), "timeZone", "unknown time zone");
        refused(ok().with("weekdays", List.of("Funday")).build(), "weekdays[0]", "weekday");
        refused(ok().with("flowId", java.util.UUID.randomUUID().toString()).build(), "flowId", "no such flow");
        refused(ok().with("flowId", "not-a-uuid").build(), "flowId", "not a flow id");
        refused(ok().with("callerNumbers", List.of(number())).build(), "callerNumbers[0]", "not a caller number of this platform");
        refused(ok().with("callerNumbers", List.of()).build(), "callerNumbers", "at least one");
        refused(ok().with("maxCallsPerSecond", -5).build(), "maxCallsPerSecond", "0.01 to");
        refused(ok().with("maxCallsPerSecond", 1_000_000).build(), "maxCallsPerSecond", "0.01 to");
        refused(ok().with("maxConcurrentCalls", 0).build(), "maxConcurrentCalls", "1 to");
        refused(ok().with("maxTries", 9).build(), "maxTries", "1 to 3");
        refused(ok().with("retryOn", List.of("ANSWERED")).build(), "retryOn[0]", "one of");
        refused(ok().with("maxRingSeconds", 1).build(), "maxRingSeconds", "5 to");
        refused(ok().with("callbackUrl", "http://169.254.169.254/latest/meta-data").with("callbackSecret", "s".repeat(20)).build(),
                "callbackUrl", "");
        refused(ok().with("callbackUrl", "http://10.1.2.3/results").with("callbackSecret", "s".repeat(20)).build(),
                "callbackUrl", "");
        refused(ok().with("callbackUrl", "https://crm.example.com/results").build(), "callbackSecret", "16 to 200");
        refused(ok().with("name", " ").build(), "name", "required");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 10_001; i++) {
            many.add(callee("1380000" + String.format("%04d", i % 10_000)));
        }
        refused(ok().with("callees", many).build(), "callees", "at most 10000 inline");
    }

    @Test
    void inboundDeletedAndUnpublishedFlowsAreRefused() {
        String inbound = fx.flow("INBOUND", 1, false);
        String deleted = fx.flow("OUTBOUND", 2, true);
        String draft = fx.flow("OUTBOUND", null, false);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> as(INTEGRATION).json()
                .body(ok().with("flowId", draft).build()).post("/api/v1/tasks").asString().contains("no published version"));
        refused(ok().with("flowId", inbound).build(), "flowId", "OUTBOUND flows");
        refused(ok().with("flowId", deleted).build(), "flowId", "deleted");
        refused(ok().with("flowId", draft).build(), "flowId", "no published version");
    }

    @Test
    void unknownFieldsAndMalformedJsonAreRefusedToo() {
        as(INTEGRATION).json().body("{\"name\": \"x\", \"flowId\": \"" + flow + "\", \"dialAllAtOnce\": true}")
                .post("/api/v1/tasks").then().statusCode(400).contentType("application/problem+json");
        as(INTEGRATION).json().body("{\"name\": ").post("/api/v1/tasks").then().statusCode(400)
                .contentType("application/problem+json");
        RestAssured.given().contentType("application/json").body(ok().build()).post("/api/v1/tasks").then().statusCode(401);
        // JSON is parsed whole: a body larger than 32 MiB is refused before it is read (uploads stream instead)
        byte[] huge = new byte[33 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        as(INTEGRATION).json().body(huge).post("/api/v1/tasks").then().statusCode(413)
                .contentType("application/problem+json");
        as(io.callstream.testkit.TestTokens.token("agent", "a1")).json().body(ok().build()).post("/api/v1/tasks")
                .then().statusCode(403);
    }

    @Test
    void aJsonBodySentChunkedIsRefusedWithoutBeingBufferedButAnUploadMayBeChunked() throws Exception {
        long before = taskCount();
        byte[] json = io.callstream.contracts.Json.write(ok().build());
        var http1 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var http2 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
        var chunked = send(http1, "/api/v1/tasks", "application/json", unsized(json));
        assertEquals(411, chunked.statusCode(), chunked.body());
        assertEquals("application/problem+json", chunked.headers().firstValue("Content-Type").orElse(""));
        assertTrue(chunked.body().contains("Content-Length"), chunked.body());
        // HTTP/2 is off (a body of no length could not be told from none): the client falls back to HTTP/1.1
        var askedForHttp2 = send(http2, "/api/v1/tasks", "application/json", unsized(json));
        assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, askedForHttp2.version());
        assertEquals(411, askedForHttp2.statusCode(), askedForHttp2.body());
        assertEquals(before, taskCount(), "nothing created");

        // a body of known length, and an action without a body, go through
        var sized = send(http2, "/api/v1/tasks", "application/json", java.net.http.HttpRequest.BodyPublishers.ofByteArray(json));
        assertEquals(201, sized.statusCode(), sized.body());
        var paused = send(http2, "/api/v1/tasks/" + JsonPath.from(sized.body()).getString("id") + "/pause", null,
                java.net.http.HttpRequest.BodyPublishers.noBody());
        assertEquals(200, paused.statusCode(), paused.body());
        // an upload streams, so it may come chunked
        byte[] csv = ("number\n" + number() + "\n" + number() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var upload = send(http1, "/api/v1/tasks/" + emptyTask() + "/callees", "text/csv", unsized(csv));
        assertEquals(200, upload.statusCode(), upload.body());
        assertEquals(2, JsonPath.from(upload.body()).getInt("accepted"), upload.body());
    }

    /** A body the client cannot know the length of: sent chunked. */
    private static java.net.http.HttpRequest.BodyPublisher unsized(byte[] body) {
        return java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body));
    }

    private static java.net.http.HttpResponse<String> send(java.net.http.HttpClient http, String path, String contentType,
                                                           java.net.http.HttpRequest.BodyPublisher body) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .header("Authorization", "Bearer " + INTEGRATION).POST(body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private String emptyTask() {
        return as(INTEGRATION).json().body(ok().with("callees", List.of()).build()).post("/api/v1/tasks").then()
                .statusCode(201).extract().jsonPath().getString("id");
    }

    private io.restassured.response.ValidatableResponse upload(String taskId, String contentType, String body, String mode) {
        return RestAssured.given().auth().oauth2(INTEGRATION).contentType(contentType).queryParam("invalidRows", mode)
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/tasks/" + taskId + "/callees").then();
    }

    @Test
    void aCsvUploadWithBadRowsIsRefusedWholeByDefaultOrAddsTheValidRowsWhenAsked() {
        String id = emptyTask();
        String a = number(), b = number(), c = number();
        String csv = "number,uui,name,date\r\n"
                + a + ",u-1,Ada,2026-12-01\r\n"
                + "12x,,Bad,2026-12-02\r\n"
                + b + ",,\"Lovelace, Ada \"\"the first\"\"\",2026-12-03\r\n"
                + c + ",,only three\r\n"
                + "\r\n"
                + c + ",,=cmd|' /C calc'!A0,2026-12-04\r\n";
        upload(id, "text/csv", csv, "reject").statusCode(400).contentType("application/problem+json")
                .body("errors.field", org.hamcrest.Matchers.contains("row 2", "row 4"))
                .body("errors[0].message", containsString("not a phone number"))
                .body("errors[1].message", containsString("has 3 cells; the header has 4"));
        JsonPath t = as(INTEGRATION).json().get("/api/v1/tasks/" + id).then().extract().jsonPath();
        assertEquals(0, t.getInt("calleeCount"), "a refused upload adds nothing");
        assertEquals("INITIAL", t.getString("state"));

        JsonPath r = upload(id, "text/csv", csv, "skip").statusCode(200).extract().jsonPath();
        assertEquals(3, r.getInt("accepted"));
        assertEquals(2, r.getInt("rejected"));
        assertEquals(List.of(2, 4), r.getList("errors.row"));
        assertEquals(3, r.getInt("calleeCount"));
        JsonPath callees = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath();
        assertEquals(List.of(a, b, c), callees.getList("items.number"));
        assertEquals("u-1", callees.getString("items[0].uui"));
        assertEquals("Lovelace, Ada \"the first\"", callees.getString("items[1].variables.name"));
        // stored as given: the variable is spoken by the flow, never exported to a spreadsheet raw
        assertEquals("=cmd|' /C calc'!A0", callees.getString("items[2].variables.name"));
        assertEquals(List.of("1", "2", "3"), callees.getList("items.calleeId"));
    }

    @Test
    void anNdjsonUploadAppendsAfterTheInlineCalleesAndTheTaskStartsWithThem() {
        String id = as(INTEGRATION).json().body(task(flow, List.of(caller), List.of(callee(number()))).with("maxCallsPerSecond", 1)
                .notBefore(Instant.now().plus(Duration.ofHours(1))).build()).post("/api/v1/tasks").then().statusCode(201)
                .extract().jsonPath().getString("id");
        String x = number(), y = number();
        String nd = "{\"number\":\"" + x + "\",\"variables\":{\"name\":\"Xi\"}}\n"
                + "\n"
                + "{\"number\":\"" + y + "\",\"uui\":\"case-42\"}\n"
                + "{\"number\":\"" + y + "\",\"colour\":\"red\"}\n"
                + "not json\n";
        JsonPath r = upload(id, "application/x-ndjson", nd, "skip").statusCode(200).extract().jsonPath();
        assertEquals(2, r.getInt("accepted"));
        assertEquals(List.of(4, 5), r.getList("errors.row"));
        assertEquals(3, r.getInt("calleeCount"));
        JsonPath callees = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath();
        assertEquals(List.of("1", "2", "3"), callees.getList("items.calleeId"));
        assertEquals("Xi", callees.getString("items[1].variables.name"));
        assertEquals("case-42", callees.getString("items[2].uui"));
    }

    @Test
    void badUploadsAreRefusedWithTheReason() {
        String id = emptyTask();
        upload(id, "text/csv", "", "reject").statusCode(400).body("detail", containsString("empty"));
        upload(id, "text/csv", "phone,name\n123456\n", "reject").statusCode(400)
                .body("errors[0].field", is("header")).body("errors[0].message", containsString("number column"));
        upload(id, "text/csv", "number,callstream.flowId\n1234567\n", "reject").statusCode(400)
                .body("errors[0].field", is("header"));
        upload(id, "text/csv", "number,name\n1234567,\"never closed\n", "skip").statusCode(400)
                .body("type", containsString("malformed-csv"));
        upload(id, "text/plain", "number\n1234567\n", "reject").statusCode(415);
        upload(id, "text/csv", "number\n1234567\n", "sometimes").statusCode(400).body("errors[0].field", is("invalidRows"));
        upload("7d4a4a3e-0000-4000-8000-000000000000", "text/csv", "number\n1234567\n", "reject").statusCode(404);
        as(INTEGRATION).json().post("/api/v1/tasks/" + id + "/stop").then().statusCode(200);
        upload(id, "text/csv", "number\n1234567\n", "reject").statusCode(409).body("errors[0].field", is("state"));
        assertEquals(0, as(INTEGRATION).json().get("/api/v1/tasks/" + id).then().extract().jsonPath().getInt("calleeCount"));
    }

    @Test
    void theDoNotCallListTakesSingleAndBulkChangesAndRefusesBadNumbersWhole() {
        String a = number(), b = number();
        as(INTEGRATION).json().body(Map.of("add", List.of(a, b), "reason", "opt-out")).post("/api/v1/dnc/bulk")
                .then().statusCode(200).body("added", is(2));
        as(INTEGRATION).json().get("/api/v1/dnc/" + a).then().statusCode(200).body("reason", is("opt-out"))
                .body("addedBy", is("crm"));
        as(INTEGRATION).json().body(Map.of("add", List.of(number(), "bad"), "remove", List.of(a))).post("/api/v1/dnc/bulk")
                .then().statusCode(400).body("errors[0].field", is("add[1]"));
        as(INTEGRATION).json().get("/api/v1/dnc/" + a).then().statusCode(200);
        as(INTEGRATION).json().body(Map.of("remove", List.of(a))).post("/api/v1/dnc/bulk").then().statusCode(200)
                .body("removed", is(1));
        as(INTEGRATION).json().get("/api/v1/dnc/" + a).then().statusCode(404);
        as(INTEGRATION).json().delete("/api/v1/dnc/" + b).then().statusCode(204);
        as(INTEGRATION).json().body(Map.of()).put("/api/v1/dnc/12ab").then().statusCode(400).body("errors[0].field", is("number"));
        // caller numbers are the admin's
        as(INTEGRATION).json().body(Map.of("maxConcurrentCalls", 5)).put("/api/v1/caller-numbers/" + number())
                .then().statusCode(403);
        as(ADMIN).json().body(Map.of("maxConcurrentCalls", 0)).put("/api/v1/caller-numbers/" + number())
                .then().statusCode(400).body("errors[0].field", is("maxConcurrentCalls"));
        assertTrue(as(INTEGRATION).json().get("/api/v1/caller-numbers").then().statusCode(200).extract().jsonPath()
                .getList("number").contains(caller));
    }

    @Test
    void anOversizedUploadAndOneBeyondTheTasksCalleeLimitAddNothing() {
        String id = emptyTask();
        StringBuilder big = new StringBuilder("number,note\n");
        while (big.length() < 3 * 1024 * 1024) {
            big.append("13800138000,").append("x".repeat(200)).append('\n');
        }
        upload(id, "text/csv", big.toString(), "skip").statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("larger than"));
        StringBuilder many = new StringBuilder("number\n");
        for (int i = 0; i < 20_001; i++) {
            many.append(13_800_000_000L + i).append('\n');
        }
        upload(id, "text/csv", many.toString(), "reject").statusCode(400).body("errors[0].field", is("callees"))
                .body("detail", containsString("room for 20000"));
        assertEquals(0, as(INTEGRATION).json().get("/api/v1/tasks/" + id).then().extract().jsonPath().getInt("calleeCount"));
        assertEquals(0, as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath()
                .getList("items").size());
    }
}
