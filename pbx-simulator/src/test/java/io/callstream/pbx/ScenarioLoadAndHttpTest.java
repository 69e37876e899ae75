package io.callstream.pbx;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scenario files, load mode, the HTTP transcripts and the command line, against an asterisk-java IVR. */
class ScenarioLoadAndHttpTest {
    private static GatewayStub gateway;
    private static final AtomicInteger sessions = new AtomicInteger();
    private static final AtomicInteger mostSessions = new AtomicInteger();

    /** The IVR behind 4001: welcome, a menu key, "connecting you", then the agent on PJSIP/1001. */
    @BeforeAll
    static void start() {
        gateway = new GatewayStub();
        gateway.on("4001", (request, channel) -> {
            mostSessions.accumulateAndGet(sessions.incrementAndGet(), Math::max);
            try {
                channel.answer();
                int key = channel.exec("Festival", "Welcome to Callstream", Prompts.ALL_KEYS);
                if (key == 0) {
                    key = channel.waitForDigit(2000);
                }
                if (key == '1') {
                    channel.streamFile("connecting-you");
                    channel.exec("Dial", "PJSIP/1001", "10", "g");
                }
                channel.hangup();
            } finally {
                sessions.decrementAndGet();
            }
        });
        gateway.awaitListening();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void theExampleScenarioParses() throws Exception {
        Scenario s = Scenario.read(Path.of("scenarios/example.yaml"));
        assertEquals(50L, s.promptDurationMs);
        assertEquals(List.of("PJSIP/1001", "PJSIP/1002", "PJSIP/1003", "PJSIP/1004"), List.copyOf(s.agents.keySet()));
        assertEquals(AgentBehavior.Kind.ANSWER, s.agents.get("PJSIP/1001").kind());
        assertEquals(Duration.ofMillis(8000), s.agents.get("PJSIP/1001").talkTime());
        assertEquals(CalleeBehavior.Kind.REJECT, s.callees.get("13900000004").kind());
        assertEquals(3, s.callees.get("13900000001").steps().size());
        assertEquals(2, s.callers.size());
        assertEquals(2, s.callers.get(0).count());
        assertEquals(List.of(new Step.AwaitPrompt("Welcome", null), new Step.Press("1", Duration.ofMillis(300)),
                new Step.AbandonAfter(Duration.ofMinutes(1)), new Step.AwaitAgent(null), new Step.AwaitEnd(null)),
                s.callers.get(0).script().steps());
        assertEquals(new Step.Say("renew my contract"), s.callers.get(1).script().steps().get(2));
        assertEquals(20, s.load.concurrency());
        assertEquals("13800000042", LoadGenerator.numbered(s.loadCaller.fromNumber(), 42));
    }

    @Test
    void mistakesInAScenarioAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.parse(
                Json.YAML.readTree("callers:\n  - from: '1'\n    to: '2'\n    steps:\n      - pres: '1'\n")));
        assertTrue(e.getMessage().contains("unknown step"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Scenario.parse(
                Json.YAML.readTree("agents:\n  - endpoint: PJSIP/1\n    behavior: sleepy\n")));
        assertTrue(e.getMessage().contains("sleepy"), e.getMessage());
    }

    @Test
    void loadModeRunsBoundedCallsAndReportsLatencies() {
        try (PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "u", "p", "localhost", gateway.port(), -1))) {
            sim.agent("PJSIP/1001", AgentBehavior.answerAfter(Duration.ofMillis(50)).talkFor(Duration.ofMillis(100)));
            CallerScript template = CallerScript.from("1380000{n:4}").to("4001")
                    .awaitPrompt("Welcome").press("1", Duration.ofMillis(20)).awaitAgent().awaitEnd();
            mostSessions.set(0);
            LoadReport report = LoadGenerator.run(sim, template,
                    new LoadProfile(4, 20, Duration.ofSeconds(1), 12, Duration.ofSeconds(20)));
            String text = report.render();
            assertEquals(12, report.started(), text);
            assertEquals(12, report.completed(), text);
            assertEquals(0, report.failed(), text);
            assertEquals(0, report.cutOff(), text);
            assertEquals(12, report.byResult().get("AGENT"), text);
            assertTrue(mostSessions.get() <= 4, "at most 4 calls at once, saw " + mostSessions.get());
            LoadReport.Stat start = report.latencies().stream().filter(s -> s.name().startsWith("call start")).findFirst().orElseThrow();
            assertEquals(12, start.count(), text);
            LoadReport.Stat press = report.latencies().stream().filter(s -> s.name().startsWith("step 2 press 1")).findFirst().orElseThrow();
            assertEquals(12, press.count(), text);
            assertTrue(press.p50() <= press.p95() && press.p95() <= press.p99() && press.p99() <= press.max(), text);
            assertEquals(12, report.timeToAgent().count(), text);
            assertTrue(report.timeToAgent().p50() >= 50, text);
            assertTrue(sim.callsFor("13800000012").size() == 1, "callers are numbered from the template");
        }
    }

    @Test
    void transcriptsAreServedOverHttpAndCallsCanBePlacedThere() throws Exception {
        try (PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "u", "p", "localhost", gateway.port(), 0))) {
            sim.agent("PJSIP/1001", AgentBehavior.answerAfter(Duration.ofMillis(20)).talkFor(Duration.ofMillis(50)));
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://localhost:" + sim.httpPort();
            HttpResponse<String> placed = http.send(HttpRequest.newBuilder(URI.create(base + "/calls"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"from\":\"13800000900\",\"to\":\"4001\",\"steps\":[{\"awaitPrompt\":\"Welcome\"},{\"press\":\"1\"},\"awaitEnd\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, placed.statusCode(), placed.body());
            String id = Json.JSON.readTree(placed.body()).get("id").asText();
            sim.calls().get(0).awaitEnd(Duration.ofSeconds(10));

            HttpResponse<String> one = http.send(HttpRequest.newBuilder(URI.create(base + "/calls/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, one.statusCode());
            JsonNode t = Json.JSON.readTree(one.body());
            assertEquals(id, t.get("id").asText());
            assertEquals("AGENT", t.get("result").asText());
            assertEquals("Welcome to Callstream", t.get("prompts").get(0).asText());
            assertEquals("1", t.get("keysSent").asText());
            assertTrue(t.get("startedAt").asText().contains("T"), one.body());

            HttpResponse<String> all = http.send(HttpRequest.newBuilder(URI.create(base + "/calls")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(1, Json.JSON.readTree(all.body()).size());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/calls/call-999")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(base + "/calls"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"from\":\"1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> channels = http.send(HttpRequest.newBuilder(URI.create(base + "/channels")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("[ ]", channels.body().trim());
        }
    }

    @Test
    void aCalleeMayBehaveDifferentlyOnLaterCalls() throws Exception {
        Scenario s = Scenario.parse(Json.YAML.readTree("""
                callees:
                  - number: "13900000020"
                    behavior: busy
                    nextCalls:
                      - behavior: noAnswer
                        ringMs: 300
                      - behavior: answer
                        ringMs: 100
                        steps: [{awaitPrompt: "Hello"}, {press: "1"}, awaitEnd]
                """));
        CalleeBehavior b = s.callees.get("13900000020");
        assertEquals(CalleeBehavior.Kind.BUSY, b.forCall(0).kind());
        assertEquals(CalleeBehavior.Kind.NO_ANSWER, b.forCall(1).kind());
        assertEquals(Duration.ofMillis(300), b.forCall(1).ringTime());
        assertEquals(CalleeBehavior.Kind.ANSWER, b.forCall(2).kind());
        assertEquals(3, b.forCall(2).steps().size());
        assertEquals(CalleeBehavior.Kind.ANSWER, b.forCall(7).kind(), "the last behaviour stays");
        assertTrue(b.forCall(0).later().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.parse(Json.YAML.readTree(
                "callees:\n  - number: '1'\n    nextCalls:\n      - behavior: answer\n        number: '2'\n")));
        assertTrue(e.getMessage().contains("nextCalls[0]") && e.getMessage().contains("number"), e.getMessage());
    }

    @Test
    void calleesCanBeDefinedOverHttp() throws Exception {
        try (PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "u", "p", "localhost", gateway.port(), 0))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://localhost:" + sim.httpPort();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/callees/13900000030"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"behavior\":\"busy\",\"nextCalls\":[{\"behavior\":\"reject\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, put.statusCode(), put.body());
            org.asteriskjava.manager.ManagerConnection ami = new org.asteriskjava.manager.ManagerConnectionFactory(
                    "localhost", sim.amiPort(), "u", "p").createManagerConnection();
            ami.login();
            try {
                for (int i = 0; i < 2; i++) {
                    org.asteriskjava.manager.action.OriginateAction o = new org.asteriskjava.manager.action.OriginateAction();
                    o.setChannel("PJSIP/13900000030@trunk");
                    o.setContext("x");
                    o.setExten("s");
                    o.setPriority(1);
                    o.setTimeout(5000L);
                    assertEquals("Error", ami.sendAction(o, 10_000).getResponse()); // synchronous: waits for the outcome
                }
            } finally {
                ami.logoff();
            }
            assertEquals(List.of("BUSY", "REJECTED"), sim.callsFor("13900000030").stream()
                    .map(c -> c.awaitEnd(Duration.ofSeconds(5)).result()).toList());

            for (String bad : List.of("{\"behavior\":\"sleepy\"}", "[1]", "{\"number\":\"1\"}", "")) {
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/callees/13900000031"))
                        .PUT(HttpRequest.BodyPublishers.ofString(bad)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, refused.statusCode(), bad + " → " + refused.body());
            }
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(base + "/callees/13900000030")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/callees/"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413AndChangesNothing() throws Exception {
        try (PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "u", "p", "localhost", gateway.port(), 0))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://localhost:" + sim.httpPort();
            String big = "{\"behavior\":\"busy\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/callees/13900000032"))
                    .PUT(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, put.statusCode(), put.body());
            assertTrue(put.body().contains("body too large"), put.body());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/calls"))
                    .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, post.statusCode(), post.body());
            assertEquals(0, Json.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/calls")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).size(), "no call placed");
        }
    }

    @Test
    void theCommandLineRunsAScenarioPrintsTranscriptsAndExits(@TempDir Path dir) throws Exception {
        Path scenario = dir.resolve("one-caller.yaml");
        Files.writeString(scenario, """
                promptDurationMs: 20
                agents:
                  - endpoint: PJSIP/1001
                    ringMs: 30
                    talkMs: 60
                callers:
                  - from: "13800000950"
                    to: "4001"
                    steps:
                      - awaitPrompt: Welcome
                      - press: "1"
                      - awaitAgent: true
                      - awaitEnd: true
                load:
                  concurrency: 2
                  callsPerSecond: 10
                  durationSeconds: 0.4
                  maxCalls: 3
                  caller:
                    from: "1380000096{n}"
                    to: "4001"
                    steps: [{awaitPrompt: Welcome}, {press: "1"}, awaitEnd]
                """);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--scenario", scenario.toString(), "--ami-port", "0", "--http-port", "-1",
                "--agi", "localhost:" + gateway.port()}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("inbound 13800000950 -> 4001"), out);
        assertTrue(out.contains("[tts] Welcome to Callstream"), out);
        assertTrue(out.contains("1 calls: {AGENT=1}"), out);

        bytes.reset();
        code = Main.run(new String[] {"--scenario", scenario.toString(), "--ami-port", "0", "--http-port", "-1",
                "--agi", "localhost:" + gateway.port(), "--load"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("Load: 3 started, 3 completed, 0 failed"), out);
        assertTrue(out.contains("time to agent"), out);
        await().atMost(Duration.ofSeconds(10)).until(() -> RobustnessTest.threads("pbx-ami-") == 0);
    }
}
