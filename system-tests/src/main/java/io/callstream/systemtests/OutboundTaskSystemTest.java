package io.callstream.systemtests;

import static io.callstream.systemtests.SystemChecks.exchange;
import static io.callstream.systemtests.SystemChecks.check;
import static io.callstream.systemtests.SystemChecks.finish;
import static io.callstream.systemtests.SystemChecks.get;
import static io.callstream.systemtests.SystemChecks.send;
import static io.callstream.systemtests.SystemChecks.status;
import static io.callstream.systemtests.SystemChecks.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.callstream.contracts.Json;
import io.callstream.servicekit.webhook.WebhookSignature;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Automatic outbound tasks end to end through the real stack: outbound-service dials, telephony-gateway
 * originates through pbx-simulator's AMI, answered callees come back over FastAGI and ivr-service runs
 * the shipped outbound demo flow ("Renewal reminder": reads ${name} and ${date}, 1 confirms, 2 asks for an
 * agent, the key is kept), and outbound-service finishes each attempt from the gateway's and the IVR's
 * events and pushes signed callbacks to a real HTTP receiver here.
 *
 * <ol>
 *   <li>Three callees: one answers and presses 1, one is busy and answers the retry pressing 2, one never
 *   answers (two tries, retry on BUSY and NO_ANSWER, one second apart, five seconds of ringing). The
 *   task, the callees, their attempts with the keys the IVR collected, what the callees heard, and the
 *   six signed callbacks are checked.</li>
 *   <li>Crash and restart: a task of {@code callees} numbers of six simulated kinds at {@code rate} calls a
 *   second; outbound-service is killed (SIGKILL) once part of them were dialed, and started again. No
 *   callee may get two originates for one try (the simulator's originates against the attempts), every
 *   callee must end, and the task must complete.</li>
 * </ol>
 *
 * <p>Arguments (key=value): outbound, ivr, pbx (base URLs), token (admin JWT), integration (integration
 * JWT), pid (outbound-service's), pidFile, log (where the restarted service writes), callees (default
 * 60), rate (calls a second, default 4), outage ({@code deadlines}, the default: the killed service
 * stays down until the deadlines of the attempts it started have passed, ring time + originateGrace
 * (default 30s); {@code none}: it is started again at once).
 * Needs the local stack with its demo data and {@code CALLSTREAM_OUTBOUND_MIN_RETRY_INTERVAL=1s},
 * {@code CALLSTREAM_WEBHOOKS_ALLOWLIST=127.0.0.1}.
 * Prints each check; exits 1 on a failure.
 */
public final class OutboundTaskSystemTest {
    private static final String FLOW_NAME = "Renewal reminder";
    private static final String SECRET = "outbound-task-system-test-" + UUID.randomUUID();
    private static final List<String> CALLERS = List.of("4009101", "4009102", "4009103");
    private static final int RING_SECONDS = 5;

    /** One callback as the receiver got it. */
    record Delivery(String task, String id, String event, String timestamp, String signature, String body) {
        JsonNode json() {
            return Json.read(body.getBytes(StandardCharsets.UTF_8), JsonNode.class);
        }
    }

    /** How a simulated callee of the crash run behaves, and what outbound-service must make of it. */
    enum Kind {
        CONFIRMS(List.of("ANSWERED"), "ANSWERED"),
        BUSY_THEN_CONFIRMS(List.of("BUSY", "ANSWERED"), "ANSWERED"),
        ALWAYS_BUSY(List.of("BUSY", "BUSY"), "NOT_ANSWERED"),
        NEVER_ANSWERS(List.of("NO_ANSWER", "NO_ANSWER"), "NOT_ANSWERED"),
        REJECTS(List.of("REJECTED"), "NOT_ANSWERED"),
        HANGS_UP(List.of("ANSWERED"), "ANSWERED");

        final List<String> outcomes;
        final String finalState;

        Kind(List<String> outcomes, String finalState) {
            this.outcomes = outcomes;
            this.finalState = finalState;
        }

        boolean pressesOne() {
            return this == CONFIRMS || this == BUSY_THEN_CONFIRMS;
        }
    }

    private final Map<String, String> a;
    private final String outbound;
    private final String ivr;
    private final String pbx;
    private final String admin;
    private final String integration;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    private OutboundTaskSystemTest(Map<String, String> a) {
        this.a = a;
        this.outbound = a.get("outbound");
        this.ivr = a.get("ivr");
        this.pbx = a.get("pbx");
        this.admin = a.get("token");
        this.integration = a.get("integration");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        OutboundTaskSystemTest test = new OutboundTaskSystemTest(a);
        test.startReceiver();
        String flowId = test.prepare();
        test.threeCallees(flowId);
        test.crashAndRestart(flowId, Integer.parseInt(a.getOrDefault("callees", "60")),
                Double.parseDouble(a.getOrDefault("rate", "4")));
        test.receiver.stop(0);
        // a deadlock is retried, so no check above sees it; it costs a second (deadlock_timeout) and a redo each time
        long deadlocks = java.nio.file.Files.readAllLines(Path.of(a.get("log"))).stream()
                .filter(l -> l.contains("deadlock detected")).count();
        check(deadlocks == 0, "outbound-service's log: no deadlock between its own transactions (" + deadlocks + ")");
        finish("outbound-task");
    }

    // ------------------------------------------------------------------ set-up

    /** The business system's callback endpoint: {@code POST /callbacks/{label}}, every request kept as received. */
    private void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/callbacks/", ex -> {
            String label = ex.getRequestURI().getPath().substring("/callbacks/".length());
            var h = ex.getRequestHeaders();
            deliveries.add(new Delivery(label, h.getFirst("Callstream-Delivery"), h.getFirst("Callstream-Event"),
                    h.getFirst("Callstream-Timestamp"), h.getFirst("Callstream-Signature"),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
    }

    /** The published outbound demo flow, the caller numbers, and outbound-service knowing the flow. */
    private String prepare() throws Exception {
        String flowId = null;
        for (JsonNode f : get(ivr + "/api/v1/flows?kind=OUTBOUND&size=200", admin).get("items")) {
            if (FLOW_NAME.equals(f.get("name").asText()) && f.hasNonNull("activeVersion")) {
                flowId = f.get("id").asText();
            }
        }
        check(flowId != null, "the shipped outbound flow '" + FLOW_NAME + "' is published in ivr-service (" + flowId + ")");
        if (flowId == null) {
            finish("outbound-task");
        }
        for (String number : CALLERS) {
            HttpResponse<String> r = exchange("PUT", outbound + "/api/v1/caller-numbers/" + number, admin,
                    Json.MAPPER.createObjectNode().put("maxConcurrentCalls", 12), Map.of());
            if (r.statusCode() != 200 && r.statusCode() != 201) {
                throw new IllegalStateException("caller number " + number + ": " + r.statusCode() + " " + r.body());
            }
        }
        String flow = flowId;
        boolean known = within(Duration.ofSeconds(60), () -> {
            // refused anyway (no such caller number, bad rate); flowId is named only while the flow is unknown
            HttpResponse<String> r = exchange("POST", outbound + "/api/v1/tasks", integration, Json.MAPPER.createObjectNode()
                    .put("name", "probe").put("flowId", flow).put("maxCallsPerSecond", -1)
                    .set("callerNumbers", Json.MAPPER.createArrayNode().add("1")), Map.of());
            return r.statusCode() == 400 && !r.body().contains("\"field\":\"flowId\"");
        });
        check(known, "outbound-service learnt the flow from ivr-service's flow-changed announcements");
        if (!known) {
            finish("outbound-task");
        }
        return flowId;
    }

    // ------------------------------------------------------------------ 1. three callees

    private void threeCallees(String flowId) throws Exception {
        System.out.println("--- three callees: answers and presses 1; busy, then answers and presses 2; never answers");
        String base = "1371" + String.format("%06d", (int) (Math.random() * 1_000_000));
        String alice = base + "1", bob = base + "2", carol = base + "3";
        callee(alice, answers(500, "1", true));
        ObjectNode busyThenTwo = behavior("busy");
        busyThenTwo.putArray("nextCalls").add(answers(500, "2", false));
        callee(bob, busyThenTwo);
        callee(carol, behavior("noAnswer"));

        Map<String, Map<String, String>> vars = Map.of(
                alice, Map.of("name", "Alice Smith", "date", "2026-07-01"),
                bob, Map.of("name", "Bob Jones", "date", "2026-08-15"),
                carol, Map.of("name", "Carol White", "date", "2026-09-30"));
        ObjectNode task = task("Renewal reminders (outbound-task " + Instant.now() + ")", flowId, 5, 5, "three");
        ArrayNode callees = task.putArray("callees");
        for (String n : List.of(alice, bob, carol)) {
            ObjectNode c = callees.addObject().put("number", n).put("uui", "crm-" + n);
            vars.get(n).forEach(c.putObject("variables")::put);
        }
        Instant created = Instant.now();
        String taskId = send("POST", outbound + "/api/v1/tasks", integration, task, 201,
                Map.of("Idempotency-Key", "outbound-task-" + UUID.randomUUID())).get("id").asText();
        System.out.println("task " + taskId + ": " + alice + ", " + bob + ", " + carol);

        boolean completed = within(Duration.ofSeconds(90), () -> "COMPLETED".equals(task(taskId).get("state").asText()));
        JsonNode t = task(taskId);
        System.out.printf("task %s after %.1f s: %s%n", t.get("state").asText(),
                Duration.between(created, Instant.now()).toMillis() / 1000.0, t.get("callees"));
        check(completed, "the task COMPLETED (" + t.get("stateReason").asText() + ")");
        check(t.get("callees").get("ANSWERED").asLong() == 2 && t.get("callees").get("NOT_ANSWERED").asLong() == 1
                && t.get("callsInProgress").asLong() == 0, "the task counts 2 ANSWERED, 1 NOT_ANSWERED, no call in progress");

        Map<String, JsonNode> byNumber = new HashMap<>();
        for (JsonNode c : callees(taskId)) {
            byNumber.put(c.get("number").asText(), c);
        }
        check(states(byNumber, alice, bob, carol).equals(List.of("ANSWERED", "ANSWERED", "NOT_ANSWERED")),
                "callee states ANSWERED / ANSWERED / NOT_ANSWERED: " + states(byNumber, alice, bob, carol));
        check(outcomes(byNumber.get(alice)).equals(List.of("ANSWERED")), "answers at once: attempts " + outcomes(byNumber.get(alice)));
        check(outcomes(byNumber.get(bob)).equals(List.of("BUSY", "ANSWERED")), "busy, then answers the retry: attempts "
                + outcomes(byNumber.get(bob)));
        check(outcomes(byNumber.get(carol)).equals(List.of("NO_ANSWER", "NO_ANSWER")), "never answers: attempts "
                + outcomes(byNumber.get(carol)));
        JsonNode aliceAnswered = last(byNumber.get(alice));
        JsonNode bobAnswered = last(byNumber.get(bob));
        check(keys(aliceAnswered).equals(List.of("reminder:1")) && "1".equals(aliceAnswered.path("variables").path("choice").asText()),
                "the IVR's key trail and variables in the first callee's attempt: key 1 at 'reminder', choice=1 ("
                        + aliceAnswered.get("keyTrail") + ")");
        check(keys(bobAnswered).equals(List.of("reminder:2")) && "2".equals(bobAnswered.path("variables").path("choice").asText()),
                "the IVR's key trail and variables in the retried callee's answered attempt: key 2, choice=2 ("
                        + bobAnswered.get("keyTrail") + ")");
        check(aliceAnswered.hasNonNull("sessionOutcome") && bobAnswered.hasNonNull("sessionOutcome")
                        && aliceAnswered.hasNonNull("answeredAt") && aliceAnswered.hasNonNull("hangupCause"),
                "answered attempts carry the session outcome, answer time and hang-up cause");
        check("Alice Smith".equals(aliceAnswered.path("variables").path("name").asText()),
                "the flow ran with the callee's own variables (name in the final variables)");

        // what the switch saw: one originate per attempt, with the attempt id as channel id
        Map<String, List<JsonNode>> originates = originatesTo(Set.of(alice, bob, carol));
        check(originates.getOrDefault(alice, List.of()).size() == 1 && originates.getOrDefault(bob, List.of()).size() == 2
                        && originates.getOrDefault(carol, List.of()).size() == 2,
                "the switch got 1, 2 and 2 originates (" + sizes(originates) + ")");
        check(sameIds(originates, byNumber), "each originate's channel id is one of the callee's attempt ids");
        List<String> alicePrompts = prompts(originates.get(alice).get(0));
        List<String> bobPrompts = prompts(originates.get(bob).get(1));
        System.out.println("first callee heard: " + alicePrompts);
        check(alicePrompts.stream().anyMatch(p -> p.contains("Hello Alice Smith") && p.contains("2026-07-01")),
                "the callee heard ${name} and ${date}: 'Hello Alice Smith ... 2026-07-01'");
        check(alicePrompts.stream().anyMatch(p -> p.contains("renewal is confirmed")), "and, after pressing 1, the confirmation");
        check(bobPrompts.stream().anyMatch(p -> p.contains("Hello Bob Jones") && p.contains("2026-08-15")),
                "the retried callee heard its own name and date on the second call");
        check(originates.get(bob).get(0).get("result").asText().equals("BUSY")
                && originates.get(carol).stream().allMatch(o -> "NO_ANSWER".equals(o.get("result").asText())),
                "the switch: busy first, and a callee that rang out twice");
        long ringMs = Duration.between(Instant.parse(originates.get(carol).get(0).get("startedAt").asText()),
                Instant.parse(originates.get(carol).get(0).get("endedAt").asText())).toMillis();
        check(ringMs >= 4_500 && ringMs < 8_000, "maxRingSeconds 5 reached the switch (rang " + ringMs + " ms)");

        // the callbacks: 5 attempt-finished + 1 task-ended, each signed with the task's secret
        boolean all = within(Duration.ofSeconds(30), () -> distinct(label("three")).size() >= 6);
        List<Delivery> got = distinct(label("three"));
        check(all && got.size() == 6, "6 callbacks received (" + got.size() + "): "
                + got.stream().map(Delivery::event).toList());
        Instant now = Instant.now();
        check(got.stream().allMatch(d -> WebhookSignature.verify(SECRET, d.timestamp(), d.signature(),
                d.body().getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5), now)), "every callback's signature is valid");
        check(got.stream().noneMatch(d -> WebhookSignature.verify("not-" + SECRET, d.timestamp(), d.signature(),
                d.body().getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5), now)), "(and fails with another secret)");
        List<Delivery> finished = got.stream().filter(d -> "io.callstream.outbound.attempt-finished".equals(d.event())).toList();
        List<Delivery> ended = got.stream().filter(d -> "io.callstream.outbound.task-ended".equals(d.event())).toList();
        Set<String> attemptIds = byNumber.values().stream().flatMap(c -> stream(c.get("attempts")))
                .map(x -> x.get("attemptId").asText()).collect(Collectors.toSet());
        Set<String> reported = finished.stream().map(d -> d.json().get("attempt").get("attemptId").asText()).collect(Collectors.toSet());
        check(finished.size() == 5 && reported.equals(attemptIds), "5 attempt-finished callbacks, one per attempt");
        check(finished.stream().allMatch(d -> taskId.equals(d.json().get("taskId").asText())
                        && d.json().get("callee").get("variables").has("name")
                        && d.json().get("callee").get("uui").asText().startsWith("crm-")),
                "each names the task and carries the callee's variables and UUI");
        check(finished.stream().anyMatch(d -> d.json().get("attempt").get("keyTrail").toString().contains("\"keys\":\"1\"")),
                "the callback of the confirmed attempt carries its key trail");
        JsonNode end = ended.isEmpty() ? null : ended.get(0).json();
        check(ended.size() == 1 && "COMPLETED".equals(end.get("state").asText())
                        && end.get("callees").get("ANSWERED").asLong() == 2 && end.get("callees").get("NOT_ANSWERED").asLong() == 1,
                "1 task-ended callback: COMPLETED, 2 answered, 1 not (" + end + ")");
        JsonNode log = get(outbound + "/api/v1/tasks/" + taskId + "/callbacks?size=50", integration);
        check(log.get("total").asLong() == 6 && stream(log.get("items")).allMatch(d -> "DELIVERED".equals(d.get("status").asText())),
                "the delivery log over REST: 6, all DELIVERED");
    }

    // ------------------------------------------------------------------ 2. crash and restart

    private void crashAndRestart(String flowId, int count, double rate) throws Exception {
        System.out.printf("--- crash and restart: %d callees at %.1f calls/s, outbound-service killed part-way%n", count, rate);
        String base = "1372" + String.format("%05d", (int) (Math.random() * 100_000));
        Map<String, Kind> kinds = new LinkedHashMap<>();
        Kind[] all = Kind.values();
        for (int i = 0; i < count; i++) {
            String number = base + String.format("%02d", i);
            Kind k = all[i % all.length];
            kinds.put(number, k);
            long ring = 300 + (i * 137L) % 1200;
            ObjectNode b = switch (k) {
                case CONFIRMS -> answers(ring, "1", true);
                case BUSY_THEN_CONFIRMS -> {
                    ObjectNode busy = behavior("busy");
                    busy.putArray("nextCalls").add(answers(ring, "1", true));
                    yield busy;
                }
                case ALWAYS_BUSY -> behavior("busy");
                case NEVER_ANSWERS -> behavior("noAnswer");
                case REJECTS -> behavior("reject").put("ringMs", ring);
                case HANGS_UP -> {
                    ObjectNode o = behavior("answer").put("ringMs", ring);
                    o.putArray("steps").add(Json.MAPPER.createObjectNode().put("awaitPrompt", "renews on").put("timeoutMs", 30_000))
                            .add("hangup");
                    yield o;
                }
            };
            callee(number, b);
        }
        ObjectNode task = task("Renewal reminders, crash run (outbound-task " + Instant.now() + ")", flowId, rate, 20, "crash");
        ArrayNode callees = task.putArray("callees");
        int i = 0;
        for (String n : kinds.keySet()) {
            callees.addObject().put("number", n).putObject("variables").put("name", "Customer " + i++).put("date", "2026-10-01");
        }
        Instant created = Instant.now();
        String taskId = send("POST", outbound + "/api/v1/tasks", integration, task, 201,
                Map.of("Idempotency-Key", "outbound-task-" + UUID.randomUUID())).get("id").asText();
        System.out.println("task " + taskId + ": " + count + " callees " + base + "00..");

        int killAfter = Math.max(5, count / 4);
        boolean dialing = within(Duration.ofSeconds(60), () -> originatesTo(kinds.keySet()).values().stream()
                .mapToInt(List::size).sum() >= killAfter);
        check(dialing, killAfter + " originates reached the switch before the kill");
        ServiceProcess service = ServiceProcess.of(Long.parseLong(a.get("pid")));
        Map<String, List<JsonNode>> before = originatesTo(kinds.keySet());
        long upBefore = before.values().stream().flatMap(List::stream).filter(o -> o.path("endedAt").isNull()).count();
        service.kill();
        Instant killed = Instant.now();
        System.out.printf("outbound-service killed (SIGKILL) %.1f s after the task was created: %d originates so far, "
                        + "%d calls still up%n", Duration.between(created, killed).toMillis() / 1000.0,
                before.values().stream().mapToInt(List::size).sum(), upBefore);
        if (!"none".equals(a.getOrDefault("outage", "deadlines"))) {
            // a long outage (a pod in back-off): the service stays dead until the deadline of every attempt it
            // started has passed (ring time + originate-grace), their answers waiting on Kafka meanwhile
            Duration grace = Duration.parse("PT" + a.getOrDefault("originateGrace", "30s").toUpperCase(Locale.ROOT));
            System.out.printf("outbound-service stays down until its attempts' deadlines (%d s ring + %d s grace) have passed%n",
                    RING_SECONDS, grace.toSeconds());
            boolean past = within(Duration.ofSeconds(RING_SECONDS).plus(grace).plusSeconds(30), () -> {
                Instant lastDial = originatesTo(kinds.keySet()).values().stream().flatMap(List::stream)
                        .map(o -> Instant.parse(o.get("startedAt").asText())).max(Instant::compareTo).orElse(killed);
                return Instant.now().isAfter(lastDial.plusSeconds(RING_SECONDS).plus(grace).plusSeconds(1));
            });
            check(past, "every attempt started before the kill is past its deadline while the service is down");
        }
        service.startAgain(Path.of(a.get("log")), Path.of(a.get("pidFile")));
        boolean ready = within(Duration.ofSeconds(120), () -> status(outbound + "/q/health/ready") == 200);
        check(ready, "outbound-service ready again");
        System.out.printf("outbound-service restarted and ready after %.1f s%n", Duration.between(killed, Instant.now()).toMillis() / 1000.0);

        boolean completed = within(Duration.ofSeconds(150), () -> "COMPLETED".equals(task(taskId).get("state").asText()));
        JsonNode t = task(taskId);
        System.out.printf("task %s %.1f s after it was created (%.1f s after the kill): %s%n", t.get("state").asText(),
                Duration.between(created, Instant.now()).toMillis() / 1000.0,
                Duration.between(killed, Instant.now()).toMillis() / 1000.0, t.get("callees"));
        check(completed, "the task COMPLETED (" + t.get("stateReason").asText() + ")");

        List<JsonNode> list = callees(taskId);
        Map<String, JsonNode> byNumber = list.stream().collect(Collectors.toMap(c -> c.get("number").asText(), Function.identity()));
        check(list.size() == count && list.stream().allMatch(c -> Set.of("ANSWERED", "NOT_ANSWERED").contains(c.get("state").asText())),
                "every callee reached a final state: " + list.stream().collect(Collectors.groupingBy(c -> c.get("state").asText(),
                        TreeMap::new, Collectors.counting())));

        // per (callee, try) exactly one attempt; per attempt at most one originate at the switch
        List<String> problems = new ArrayList<>();
        Map<String, List<JsonNode>> originates = originatesTo(kinds.keySet());
        int originateCount = 0;
        int withoutOriginate = 0;
        for (Map.Entry<String, JsonNode> e : byNumber.entrySet()) {
            List<JsonNode> attempts = stream(e.getValue().get("attempts")).toList();
            List<Integer> tries = attempts.stream().map(x -> x.get("tryNumber").asInt()).sorted().toList();
            List<Integer> expectedTries = new ArrayList<>();
            for (int k = 1; k <= attempts.size(); k++) {
                expectedTries.add(k);
            }
            if (!tries.equals(expectedTries)) {
                problems.add(e.getKey() + ": tries " + tries);
            }
            Map<String, JsonNode> attemptById = attempts.stream().collect(Collectors.toMap(x -> x.get("attemptId").asText(),
                    Function.identity()));
            List<JsonNode> calls = originates.getOrDefault(e.getKey(), List.of());
            originateCount += calls.size();
            Map<String, Long> perChannel = calls.stream().collect(Collectors.groupingBy(o -> o.path("uniqueId").asText(""),
                    Collectors.counting()));
            perChannel.forEach((id, n) -> {
                if (n > 1) {
                    problems.add(e.getKey() + ": " + n + " originates for attempt " + id);
                }
                if (!attemptById.containsKey(id)) {
                    problems.add(e.getKey() + ": an originate (channel id " + id + ") that is no attempt of this callee");
                }
            });
            if (calls.size() > attempts.size()) {
                problems.add(e.getKey() + ": " + calls.size() + " originates for " + attempts.size() + " attempts");
            }
            withoutOriginate += (int) attempts.stream().filter(x -> !perChannel.containsKey(x.get("attemptId").asText())).count();
        }
        Set<String> strays = new java.util.HashSet<>(originates.keySet());
        strays.removeAll(byNumber.keySet());
        if (!strays.isEmpty()) {
            problems.add("originates to numbers not in the task: " + strays);
        }
        long attemptCount = list.stream().mapToLong(c -> c.get("attempts").size()).sum();
        System.out.printf("%d attempts, %d originates at the switch, %d attempts never reached it%n", attemptCount,
                originateCount, withoutOriginate);
        check(problems.isEmpty(), "per (callee, try) exactly one attempt and per attempt at most one originate at the switch"
                + (problems.isEmpty() ? "" : ": " + problems));

        // what each callee did at the switch is what its attempts say, crash or not
        List<String> wrong = new ArrayList<>();
        List<String> lostKeys = new ArrayList<>();
        for (Map.Entry<String, Kind> e : kinds.entrySet()) {
            JsonNode c = byNumber.get(e.getKey());
            if (c == null) {
                wrong.add(e.getKey() + " missing");
                continue;
            }
            Kind k = e.getValue();
            List<String> got = outcomes(c);
            if (!got.equals(k.outcomes) || !k.finalState.equals(c.get("state").asText())) {
                wrong.add(e.getKey() + " (" + k + "): " + c.get("state").asText() + " " + got);
            }
            if (k.pressesOne()) {
                JsonNode answered = last(c);
                if (!keys(answered).equals(List.of("reminder:1"))) {
                    lostKeys.add(e.getKey() + ": " + answered.get("keyTrail") + " session " + answered.get("sessionOutcome"));
                }
            }
        }
        check(wrong.isEmpty(), "every callee's attempts are what the switch did (outcomes per kind, states)"
                + (wrong.isEmpty() ? "" : ": " + wrong));
        check(lostKeys.isEmpty(), "every callee who pressed 1 has key 1 in its answered attempt" + (lostKeys.isEmpty() ? "" : ": " + lostKeys));

        // the callbacks queued: one per attempt and one task end (deliveries in flight at the kill are resent later)
        List<JsonNode> log = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode p = get(outbound + "/api/v1/tasks/" + taskId + "/callbacks?size=200&page=" + page, integration);
            p.get("items").forEach(log::add);
            if (p.get("items").size() < 200) {
                break;
            }
        }
        Map<String, Long> perAttempt = log.stream().filter(d -> "io.callstream.outbound.attempt-finished".equals(d.get("eventType").asText()))
                .collect(Collectors.groupingBy(d -> d.get("body").get("attempt").get("attemptId").asText(), Collectors.counting()));
        long taskEnded = log.stream().filter(d -> "io.callstream.outbound.task-ended".equals(d.get("eventType").asText())).count();
        check(perAttempt.size() == attemptCount && perAttempt.values().stream().allMatch(n -> n == 1) && taskEnded == 1,
                "one attempt-finished callback queued per attempt (" + perAttempt.size() + " for " + attemptCount
                        + ") and one task-ended (" + taskEnded + ")");
    }

    // ------------------------------------------------------------------ helpers

    private ObjectNode task(String name, String flowId, double rate, int concurrent, String label) {
        ObjectNode task = Json.MAPPER.createObjectNode().put("name", name).put("flowId", flowId)
                .put("maxTries", 2).put("retryIntervalSeconds", 1).put("maxRingSeconds", RING_SECONDS)
                .put("maxCallsPerSecond", rate).put("maxConcurrentCalls", concurrent).put("timeZone", "UTC")
                .put("callbackUrl", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/callbacks/" + label)
                .put("callbackSecret", SECRET);
        task.putArray("retryOn").add("BUSY").add("NO_ANSWER");
        ArrayNode callers = task.putArray("callerNumbers");
        CALLERS.forEach(callers::add);
        return task;
    }

    private static ObjectNode behavior(String kind) {
        return Json.MAPPER.createObjectNode().put("behavior", kind);
    }

    /** Answers after ringMs, waits for the reminder, presses the key, then (if told) waits for the confirmation, and stays to the end. */
    private static ObjectNode answers(long ringMs, String key, boolean awaitConfirmation) {
        ObjectNode b = behavior("answer").put("ringMs", ringMs);
        ArrayNode steps = b.putArray("steps");
        steps.addObject().put("awaitPrompt", "renews on").put("timeoutMs", 30_000);
        steps.addObject().put("press", key);
        if (awaitConfirmation) {
            steps.addObject().put("awaitPrompt", "confirmed").put("timeoutMs", 30_000);
        } else {
            // "2" asks for an agent: leave if nobody has taken the call after a few seconds
            steps.addObject().put("abandonAfterMs", 4_000);
        }
        steps.addObject().put("awaitEnd", true).put("timeoutMs", 60_000);
        return b;
    }

    private void callee(String number, ObjectNode behavior) throws Exception {
        send("PUT", pbx + "/callees/" + number, null, behavior, 200);
    }

    private JsonNode task(String id) throws Exception {
        return get(outbound + "/api/v1/tasks/" + id, integration);
    }

    private List<JsonNode> callees(String taskId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode p = get(outbound + "/api/v1/tasks/" + taskId + "/callees?size=200&page=" + page, integration);
            p.get("items").forEach(out::add);
            if (p.get("items").size() < 200) {
                return out;
            }
        }
    }

    /** The simulator's originates to these numbers (its outbound calls), by number, oldest first. */
    private Map<String, List<JsonNode>> originatesTo(Set<String> numbers) throws Exception {
        Map<String, List<JsonNode>> out = new HashMap<>();
        for (JsonNode call : get(pbx + "/calls", null)) {
            if ("outbound".equals(call.get("direction").asText()) && numbers.contains(call.get("to").asText())) {
                out.computeIfAbsent(call.get("to").asText(), k -> new ArrayList<>()).add(call);
            }
        }
        return out;
    }

    private List<Delivery> label(String label) {
        return deliveries.stream().filter(d -> label.equals(d.task())).toList();
    }

    /** One per delivery id (a delivery may be resent; its id stays). */
    private static List<Delivery> distinct(List<Delivery> list) {
        Map<String, Delivery> byId = new LinkedHashMap<>();
        list.forEach(d -> byId.putIfAbsent(d.id(), d));
        return List.copyOf(byId.values());
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out.stream();
    }

    private static List<String> states(Map<String, JsonNode> byNumber, String... numbers) {
        List<String> out = new ArrayList<>();
        for (String n : numbers) {
            out.add(byNumber.containsKey(n) ? byNumber.get(n).get("state").asText() : "missing");
        }
        return out;
    }

    /** The attempts' outcomes in try order. */
    private static List<String> outcomes(JsonNode callee) {
        return callee == null ? List.of() : stream(callee.get("attempts"))
                .sorted(java.util.Comparator.comparingInt(x -> x.get("tryNumber").asInt()))
                .map(x -> x.path("outcome").asText("(open)")).toList();
    }

    private static JsonNode last(JsonNode callee) {
        return stream(callee.get("attempts")).max(java.util.Comparator.comparingInt(x -> x.get("tryNumber").asInt()))
                .orElse(Json.MAPPER.createObjectNode());
    }

    /** The key trail as node:keys. */
    private static List<String> keys(JsonNode attempt) {
        List<String> out = new ArrayList<>();
        if (attempt.has("keyTrail") && attempt.get("keyTrail").isArray()) {
            attempt.get("keyTrail").forEach(k -> out.add(k.get("nodeId").asText() + ":" + k.get("keys").asText()));
        }
        return out;
    }

    private static List<String> prompts(JsonNode transcript) {
        List<String> out = new ArrayList<>();
        transcript.get("prompts").forEach(p -> out.add(p.asText()));
        return out;
    }

    private static Map<String, Integer> sizes(Map<String, List<JsonNode>> m) {
        Map<String, Integer> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    private static boolean sameIds(Map<String, List<JsonNode>> originates, Map<String, JsonNode> byNumber) {
        for (Map.Entry<String, List<JsonNode>> e : originates.entrySet()) {
            Set<String> ids = stream(byNumber.get(e.getKey()).get("attempts")).map(x -> x.get("attemptId").asText())
                    .collect(Collectors.toSet());
            for (JsonNode o : e.getValue()) {
                if (!ids.contains(o.path("uniqueId").asText("").toLowerCase(Locale.ROOT))) {
                    return false;
                }
            }
        }
        return true;
    }
}
