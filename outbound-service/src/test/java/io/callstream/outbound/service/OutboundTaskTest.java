package io.callstream.outbound.service;

import io.callstream.contracts.call.Originate;
import io.callstream.contracts.call.OriginateOutcome;
import io.callstream.contracts.outbound.AttemptFinished;
import io.callstream.contracts.outbound.AttemptOutcome;
import io.callstream.contracts.outbound.AttemptStarted;
import io.callstream.contracts.outbound.CalleeDone;
import io.callstream.contracts.outbound.CalleeState;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.contracts.outbound.TaskStateChanged;
import io.callstream.outbound.OutboundFixture;
import io.callstream.outbound.OutboundFixture.CallbackReceiver;
import io.callstream.servicekit.webhook.WebhookSignature;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.callstream.outbound.OutboundFixture.INTEGRATION;
import static io.callstream.outbound.OutboundFixture.SECRET;
import static io.callstream.outbound.OutboundFixture.as;
import static io.callstream.outbound.OutboundFixture.callee;
import static io.callstream.outbound.OutboundFixture.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outbound tasks end to end inside the service, against real Kafka and PostgreSQL: the test plays the
 * gateway (answers to originates, ends of calls) and ivr-service (flow announcements, session results)
 * and receives the callbacks on a real HTTP server.
 */
@QuarkusTest
class OutboundTaskTest {
    private final OutboundFixture fx = new OutboundFixture();
    @Inject
    DataSource dataSource;
    @Inject
    io.callstream.outbound.config.OutboundConfig config;
    @Inject
    Attempts attempts;
    @Inject
    jakarta.persistence.EntityManager em;
    private String flow;
    private String callerA;
    private String callerB;

    static String number() {
        return "1" + (3_000_000_000L + ThreadLocalRandom.current().nextLong(6_000_000_000L));
    }

    @BeforeEach
    void platform() {
        flow = fx.outboundFlow();
        callerA = number();
        callerB = number();
        fx.callerNumber(callerA, 5);
        fx.callerNumber(callerB, 5);
    }

    private JsonPath create(Map<String, Object> body) {
        return as(INTEGRATION).json().body(body).post("/api/v1/tasks").then().statusCode(201).extract().jsonPath();
    }

    private JsonPath read(String taskId) {
        return as(INTEGRATION).json().get("/api/v1/tasks/" + taskId).then().statusCode(200).extract().jsonPath();
    }

    /** Moves the attempt's deadline into the past: the expiry takes it up as if the time had gone by. */
    private void expireNow(String attemptId) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE attempt SET expires_at = now() - interval '1 second' WHERE id = ?::uuid")) {
            s.setString(1, attemptId);
            assertEquals(1, s.executeUpdate());
        }
    }

    private void awaitState(String taskId, String state) {
        await().atMost(Duration.ofSeconds(30)).until(() -> state.equals(read(taskId).getString("state")));
    }

    @Test
    void threeCalleesAnsweredBusyThenAnsweredAndNeverAnsweredEndWithTheirAttemptsKeysAndSignedCallbacks() {
        String ada = number(), bob = number(), cyd = number();
        try (CallbackReceiver receiver = new CallbackReceiver()) {
            String id = create(task(flow, List.of(callerA, callerB), List.of(
                    callee(ada, Map.of("name", "Ada", "date", "2026-12-01")),
                    callee(bob, Map.of("name", "Bob", "date", "2026-12-02")),
                    callee(cyd, Map.of("name", "Cyd", "date", "2026-12-03"))))
                    .with("maxTries", 2).with("retryIntervalSeconds", 1).with("retryOn", List.of("BUSY", "NO_ANSWER"))
                    .with("callbackUrl", receiver.url()).with("callbackSecret", SECRET).build()).getString("id");

            Originate first = fx.awaitOriginate(id, 1), second = fx.awaitOriginate(id, 2), third = fx.awaitOriginate(id, 3);
            Map<String, Originate> byNumber = Map.of(first.calleeNumber(), first, second.calleeNumber(), second,
                    third.calleeNumber(), third);
            Originate toAda = byNumber.get(ada);
            assertEquals("Ada", toAda.variables().get("name"), "the callee's own variables travel with the originate");
            assertEquals(flow, toAda.variables().get("callstream.flowId"), "ivr-service runs the task's flow");
            assertEquals(toAda.attemptId(), toAda.commandId());
            assertTrue(List.of(callerA, callerB).contains(toAda.callerNumber()));
            // attempts of a task are events in order on one partition: the caller numbers take turns
            assertEquals(List.of(callerA, callerB, callerA), fx.events(id, AttemptStarted.TYPE, AttemptStarted.class)
                    .stream().limit(3).map(AttemptStarted::callerNumber).toList());
            assertEquals(30, toAda.ringTimeoutSeconds());

            fx.answerAndPress(toAda, "1");
            fx.fail(byNumber.get(bob), OriginateOutcome.BUSY);
            fx.fail(byNumber.get(cyd), OriginateOutcome.NO_ANSWER);
            // the retries, after the 1 s interval
            Originate retry1 = fx.awaitOriginate(id, 4), retry2 = fx.awaitOriginate(id, 5);
            Originate bobAgain = retry1.calleeNumber().equals(bob) ? retry1 : retry2;
            Originate cydAgain = retry1.calleeNumber().equals(cyd) ? retry1 : retry2;
            assertEquals(bob, bobAgain.calleeNumber());
            assertEquals(cyd, cydAgain.calleeNumber());
            fx.answerAndPress(bobAgain, "2");
            fx.fail(cydAgain, OriginateOutcome.NO_ANSWER);

            awaitState(id, "COMPLETED");
            JsonPath t = read(id);
            assertEquals(2, t.getInt("callees.ANSWERED"));
            assertEquals(1, t.getInt("callees.NOT_ANSWERED"));
            assertEquals(0, t.getInt("callsInProgress"));

            JsonPath callees = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(3, callees.getInt("total"));
            assertEquals(List.of(ada, bob, cyd), callees.getList("items.number"));
            assertEquals(List.of("ANSWERED", "ANSWERED", "NOT_ANSWERED"), callees.getList("items.state"));
            assertEquals(List.of(1, 2, 2), callees.getList("items.tries"));
            assertEquals(List.of("ANSWERED"), callees.getList("items[0].attempts.outcome"));
            assertEquals("1", callees.getString("items[0].attempts[0].keyTrail[0].keys"));
            assertEquals("Confirm renewal", callees.getString("items[0].attempts[0].keyTrail[0].label"));
            assertEquals("1", callees.getString("items[0].attempts[0].variables.confirm"));
            assertEquals("COMPLETED", callees.getString("items[0].attempts[0].sessionOutcome"));
            assertEquals(16, callees.getInt("items[0].attempts[0].hangupCause"));
            assertEquals(List.of("BUSY", "ANSWERED"), callees.getList("items[1].attempts.outcome"));
            assertEquals("2", callees.getString("items[1].attempts[1].variables.confirm"));
            assertEquals(List.of("NO_ANSWER", "NO_ANSWER"), callees.getList("items[2].attempts.outcome"));
            assertNull(callees.get("items[2].attempts[1].answeredAt"));

            // the same on callstream.outbound.events, in order per task
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    fx.events(id, TaskStateChanged.TYPE, TaskStateChanged.class).size() == 3);
            assertEquals(List.of(TaskState.INITIAL, TaskState.RUNNING, TaskState.COMPLETED),
                    fx.events(id, TaskStateChanged.TYPE, TaskStateChanged.class).stream().map(TaskStateChanged::state).toList());
            assertEquals(5, fx.events(id, AttemptStarted.TYPE, AttemptStarted.class).size());
            List<AttemptFinished> finished = fx.events(id, AttemptFinished.TYPE, AttemptFinished.class);
            assertEquals(5, finished.size());
            AttemptFinished adaDone = finished.stream().filter(f -> f.calleeNumber().equals(ada)).findFirst().orElseThrow();
            assertEquals(AttemptOutcome.ANSWERED, adaDone.outcome());
            assertEquals("1", adaDone.keyTrail().get(0).keys());
            List<CalleeDone> done = fx.events(id, CalleeDone.TYPE, CalleeDone.class);
            assertEquals(Map.of(ada, CalleeState.ANSWERED, bob, CalleeState.ANSWERED, cyd, CalleeState.NOT_ANSWERED),
                    Map.of(done.get(0).calleeNumber(), done.get(0).state(), done.get(1).calleeNumber(), done.get(1).state(),
                            done.get(2).calleeNumber(), done.get(2).state()));

            // callbacks: one per attempt and one at the end, each signed with the task's secret
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received.size() == 6);
            for (CallbackReceiver.Delivery d : receiver.received) {
                assertTrue(WebhookSignature.verify(SECRET, d.header("Callstream-Timestamp"), d.header("Callstream-Signature"),
                        d.body(), Duration.ofMinutes(5), Instant.now()), "signed: " + new String(d.body()));
                assertFalse(WebhookSignature.verify("another-secret-0123456789", d.header("Callstream-Timestamp"),
                        d.header("Callstream-Signature"), d.body(), Duration.ofMinutes(5), Instant.now()));
            }
            List<String> types = receiver.received.stream().map(d -> d.header("Callstream-Event")).toList();
            assertEquals(5, types.stream().filter("io.callstream.outbound.attempt-finished"::equals).count());
            CallbackReceiver.Delivery end = receiver.received.stream()
                    .filter(d -> "io.callstream.outbound.task-ended".equals(d.header("Callstream-Event"))).findFirst().orElseThrow();
            JsonPath endBody = new JsonPath(new String(end.body()));
            assertEquals("COMPLETED", endBody.getString("state"));
            assertEquals(2, endBody.getInt("callees.ANSWERED"));
            CallbackReceiver.Delivery adaCallback = receiver.received.stream().filter(d -> new String(d.body()).contains(ada)
                    && new String(d.body()).contains("ANSWERED")).findFirst().orElseThrow();
            JsonPath adaBody = new JsonPath(new String(adaCallback.body()));
            assertEquals("Ada", adaBody.getString("callee.variables.name"));
            assertEquals("1", adaBody.getString("attempt.keyTrail[0].keys"));

            // and the delivery log says so
            JsonPath log = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callbacks").then().statusCode(200)
                    .extract().jsonPath();
            await().atMost(Duration.ofSeconds(10)).until(() -> as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callbacks")
                    .then().extract().jsonPath().getList("items.status").stream().allMatch("DELIVERED"::equals));
            assertEquals(6, log.getInt("total"));
        }
    }

    @Test
    void aNumberOnTheDoNotCallListIsNeverDialedAndReportedAsBlocked() {
        String listed = number(), free = number();
        as(INTEGRATION).json().body(Map.of("reason", "asked not to be called")).put("/api/v1/dnc/" + listed)
                .then().statusCode(201);
        String id = create(task(flow, List.of(callerA), List.of(callee(listed), callee(free))).build()).getString("id");
        Originate o = fx.awaitOriginate(id, 1);
        assertEquals(free, o.calleeNumber());
        fx.fail(o, OriginateOutcome.REJECTED);
        awaitState(id, "COMPLETED");
        JsonPath c = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath();
        assertEquals(List.of("BLOCKED", "NOT_ANSWERED"), c.getList("items.state"));
        assertEquals("BLOCKED_DNC", c.getString("items[0].lastOutcome"));
        assertEquals(List.of("BLOCKED_DNC"), c.getList("items[0].attempts.outcome"));
        assertNull(c.get("items[0].attempts[0].callId"), "never dialed");
        assertEquals(List.of("REJECTED"), c.getList("items[1].attempts.outcome"));
        assertTrue(fx.originates(id).stream().noneMatch(x -> x.calleeNumber().equals(listed)));
        assertEquals(1, fx.originates(id).size());
    }

    @Test
    void pauseStopsNewDialsWhileTheCallInProgressGoesOnAndResumeDialsAgain() {
        String id = create(task(flow, List.of(callerA), List.of(callee(number()), callee(number()), callee(number())))
                .with("maxConcurrentCalls", 1).build()).getString("id");
        Originate first = fx.awaitOriginate(id, 1);
        assertEquals("PAUSED", as(INTEGRATION).json().post("/api/v1/tasks/" + id + "/pause").then().statusCode(200)
                .extract().jsonPath().getString("state"));
        fx.answerAndPress(first, "1"); // the call in progress finishes normally while paused
        await().atMost(Duration.ofSeconds(20)).until(() -> read(id).getInt("callees.ANSWERED") == 1);
        Instant resumed = Instant.now();
        assertEquals(1, fx.originates(id).size(), "nothing dialed while paused");
        as(INTEGRATION).json().post("/api/v1/tasks/" + id + "/resume").then().statusCode(200);
        fx.awaitOriginate(id, 2);
        AttemptStarted second = fx.events(id, AttemptStarted.TYPE, AttemptStarted.class).get(1);
        assertFalse(second.startedAt().isBefore(resumed.minusMillis(5)), "the second dial came after the resume");
        assertEquals("RUNNING", read(id).getString("state"));
        // a paused task cannot be paused into another state; a finished one cannot be resumed
        as(INTEGRATION).json().post("/api/v1/tasks/" + id + "/resume").then().statusCode(200);
    }

    @Test
    void stopLeavesTheCallInProgressEndingAndNeverDialsTheRest() {
        String id = create(task(flow, List.of(callerA), List.of(callee(number()), callee(number()), callee(number())))
                .with("maxConcurrentCalls", 1).build()).getString("id");
        Originate first = fx.awaitOriginate(id, 1);
        fx.answer(first);
        JsonPath stopped = as(INTEGRATION).json().post("/api/v1/tasks/" + id + "/stop").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("ENDING", stopped.getString("state"));
        assertEquals(2, stopped.getInt("callees.NOT_ANSWERED"));
        assertEquals(1, stopped.getInt("callees.CALLING"));
        fx.hangUp(first);
        awaitState(id, "STOPPED");
        JsonPath c = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath();
        assertEquals(List.of("ANSWERED", "NOT_ANSWERED", "NOT_ANSWERED"), c.getList("items.state"));
        assertEquals(List.of("ANSWERED", "BLOCKED_WINDOW", "BLOCKED_WINDOW"), c.getList("items.lastOutcome"));
        assertEquals(1, fx.originates(id).size());
        as(INTEGRATION).json().post("/api/v1/tasks/" + id + "/resume").then().statusCode(409)
                .body("errors[0].field", org.hamcrest.Matchers.is("state"));
    }

    @Test
    void aTaskOutsideItsWindowIsNotDialedWhileATaskInsideItsWindowIs() {
        // the weekday that is not today in Pacific/Kiritimati (UTC+14) nor in UTC-12: closed now everywhere
        java.time.DayOfWeek today = java.time.LocalDate.now(java.time.ZoneId.of("Pacific/Kiritimati")).getDayOfWeek();
        java.time.DayOfWeek closed = today.plus(3);
        String closedId = create(task(flow, List.of(callerA), List.of(callee(number())))
                .with("timeZone", "Pacific/Kiritimati").with("weekdays", List.of(closed.name()))
                .with("notAfter", Instant.now().plus(Duration.ofDays(10)).toString()).build()).getString("id");
        String openId = create(task(flow, List.of(callerB), List.of(callee(number())))
                .with("timeZone", "Asia/Shanghai").with("windows", List.of(Map.of("start", "00:00", "end", "24:00"))).build())
                .getString("id");
        fx.awaitOriginate(openId, 1);
        // the dialer visits tasks oldest first: the open one was dialed in a pass that also looked at the closed one
        assertEquals(0, fx.originates(closedId).size());
        assertEquals("RUNNING", read(closedId).getString("state"));
        assertEquals(1, read(closedId).getInt("callees.PENDING"));
    }

    @Test
    void theSameIdempotencyKeyReturnsTheSameTaskAndNeverASecond() {
        Map<String, Object> body = task(flow, List.of(callerA), List.of(callee(number())))
                .notBefore(Instant.now().plus(Duration.ofHours(1))).build();
        String key = "order-batch-" + number();
        String id = as(INTEGRATION).json().header("Idempotency-Key", key).body(body).post("/api/v1/tasks")
                .then().statusCode(201).header("Idempotent-Replayed", "false").extract().jsonPath().getString("id");
        String again = as(INTEGRATION).json().header("Idempotency-Key", key).body(body).post("/api/v1/tasks")
                .then().statusCode(200).header("Idempotent-Replayed", "true").extract().jsonPath().getString("id");
        assertEquals(id, again);
        Map<String, Object> changed = new java.util.LinkedHashMap<>(body);
        changed.put("name", "another task");
        as(INTEGRATION).json().header("Idempotency-Key", key).body(changed).post("/api/v1/tasks")
                .then().statusCode(422).body("errors[0].field", org.hamcrest.Matchers.is("Idempotency-Key"));
        // another caller's key is its own
        String other = as(OutboundFixture.ADMIN).json().header("Idempotency-Key", key).body(body).post("/api/v1/tasks")
                .then().statusCode(201).extract().jsonPath().getString("id");
        assertFalse(other.equals(id));
        assertEquals(1, as(INTEGRATION).json().queryParam("name", "Renewal reminders").queryParam("size", 200)
                .get("/api/v1/tasks").then().extract().jsonPath().getList("items.id").stream().filter(id::equals).count());
    }

    @Test
    void aTaskNotBeforeItsStartStaysInitial() {
        String id = create(task(flow, List.of(callerA), List.of(callee(number())))
                .notBefore(Instant.now().plus(Duration.ofHours(2))).build()).getString("id");
        String later = create(task(flow, List.of(callerB), List.of(callee(number()))).build()).getString("id");
        fx.awaitOriginate(later, 1);
        assertEquals("INITIAL", read(id).getString("state"));
        assertEquals(0, fx.originates(id).size());
    }

    @Test
    void aCallerNumbersLimitHoldsAcrossTheTasksUsingIt() {
        String narrow = number();
        fx.callerNumber(narrow, 1);
        String one = create(task(flow, List.of(narrow), List.of(callee(number()), callee(number())))
                .with("maxConcurrentCalls", 5).build()).getString("id");
        String two = create(task(flow, List.of(narrow), List.of(callee(number()))).with("maxConcurrentCalls", 5).build())
                .getString("id");
        Originate first = fx.awaitOriginate(one, 1);
        // a task that can take the line later is dialed in the same pass as the first one: only one line
        String witness = create(task(flow, List.of(callerB), List.of(callee(number()))).build()).getString("id");
        fx.awaitOriginate(witness, 1);
        assertEquals(1, fx.originates(one).size() + fx.originates(two).size(), "one call at a time on " + narrow);
        fx.fail(first, OriginateOutcome.NO_ANSWER);
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.originates(one).size() + fx.originates(two).size() == 2);
        assertEquals(1, read(one).getInt("callsInProgress") + read(two).getInt("callsInProgress"));
    }

    @Test
    void onlyTheChosenOutcomesAreRetried() {
        String id = create(task(flow, List.of(callerA), List.of(callee(number()), callee(number())))
                .with("maxTries", 2).with("retryIntervalSeconds", 1).with("retryOn", List.of("BUSY")).build()).getString("id");
        Originate a = fx.awaitOriginate(id, 1), b = fx.awaitOriginate(id, 2);
        fx.fail(a, OriginateOutcome.NO_ANSWER);
        fx.fail(b, OriginateOutcome.BUSY);
        Originate retried = fx.awaitOriginate(id, 3);
        assertEquals(b.calleeNumber(), retried.calleeNumber(), "BUSY is retried, NO_ANSWER is not");
        fx.fail(retried, OriginateOutcome.BUSY);
        awaitState(id, "COMPLETED");
        JsonPath c = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath();
        assertEquals(List.of(1, 2), c.getList("items.tries").stream().map(n -> (Integer) n).sorted().toList());
        assertEquals(3, fx.originates(id).size());
        assertEquals(List.of("NOT_ANSWERED", "NOT_ANSWERED"), c.getList("items.state"));
    }

    @Test
    void notAfterEndsTheTaskTheCallInProgressFinishesAndTheRestAreBlockedByTheWindow() {
        String id = create(task(flow, List.of(callerA), List.of(callee(number()), callee(number()), callee(number())))
                .with("maxConcurrentCalls", 1).with("notAfter", Instant.now().plusSeconds(4).toString()).build())
                .getString("id");
        Originate first = fx.awaitOriginate(id, 1);
        fx.answer(first);
        awaitState(id, "ENDING");
        JsonPath ending = read(id);
        assertEquals(2, ending.getInt("callees.NOT_ANSWERED"));
        assertEquals(1, ending.getInt("callsInProgress"));
        fx.hangUp(first);
        awaitState(id, "STOPPED");
        assertEquals(1, fx.originates(id).size());
        assertEquals(List.of("ANSWERED", "BLOCKED_WINDOW", "BLOCKED_WINDOW"), as(INTEGRATION).json()
                .get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath().getList("items.lastOutcome"));
    }

    @Test
    void anOriginateTheGatewayNeverAnswersEndsFailedAfterRingTimeAndGrace() throws Exception {
        String id = create(task(flow, List.of(callerA), List.of(callee(number()))).with("maxRingSeconds", 5).build())
                .getString("id");
        Originate o = fx.awaitOriginate(id, 1);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT expires_at - started_at = make_interval(secs => ?) FROM attempt WHERE id = ?::uuid")) {
            s.setDouble(1, 5 + config.originateGrace().toSeconds());
            s.setString(2, o.attemptId());
            ResultSet r = s.executeQuery();
            assertTrue(r.next() && r.getBoolean(1), "the deadline is ring time + originate-grace after the dial");
        }
        // the deadline passes with no word from the gateway (moved, rather than waited for)
        expireNow(o.attemptId());
        awaitState(id, "COMPLETED");
        JsonPath c = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath();
        assertEquals(List.of("FAILED"), c.getList("items[0].attempts.outcome"));
        assertEquals("NOT_ANSWERED", c.getString("items[0].state"));
    }

    // ------------------------------------------------------------------ lock order

    /*
     * Every transaction that finishes an attempt takes the task's row first, then the attempt's: the
     * dialer does, and so must the events and the expiry. Taken the other way round, a batch of events
     * (or the expiry's many attempts) holding the task waits for an attempt that another transaction
     * holds while it waits for the task: PostgreSQL's deadlock detector breaks it after a second and the
     * batch is done again one event at a time — what the system test saw on the backlog after a restart.
     * Here the test holds the task's row; the attempt must stay free meanwhile.
     */

    @Test
    void anEventForAnAttemptWaitsForItsTaskBeforeTakingTheAttempt() throws Exception {
        String id = create(task(flow, List.of(callerA), List.of(callee(number()))).build()).getString("id");
        Originate o = fx.awaitOriginate(id, 1);
        try (Connection holder = dataSource.getConnection()) {
            holdTask(holder, id);
            fx.fail(o, OriginateOutcome.BUSY);
            awaitWaitingForTheTask();
            assertTrue(attemptIsFree(o.attemptId()), "the attempt is not taken while its task is held");
            holder.rollback();
        }
        awaitState(id, "COMPLETED");
        assertEquals(List.of("BUSY"), as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract()
                .jsonPath().getList("items[0].attempts.outcome"));
    }

    @Test
    void theExpiryWaitsForTheTaskBeforeTakingItsAttempts() throws Exception {
        String id = create(task(flow, List.of(callerA), List.of(callee(number()))).build()).getString("id");
        Originate o = fx.awaitOriginate(id, 1);
        try (Connection holder = dataSource.getConnection()) {
            holdTask(holder, id);
            expireNow(o.attemptId()); // the gateway never answered: the originate is given up
            awaitWaitingForTheTask();
            assertTrue(attemptIsFree(o.attemptId()), "the expiry does not take the attempt while its task is held");
            holder.rollback();
        }
        awaitState(id, "COMPLETED");
        assertEquals(List.of("FAILED"), as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract()
                .jsonPath().getList("items[0].attempts.outcome"));
    }

    private static void holdTask(Connection c, String taskId) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM outbound_task WHERE id = ?::uuid FOR UPDATE")) {
            s.setString(1, taskId);
            assertTrue(s.executeQuery().next());
        }
    }

    /** Until some session of the service waits for a lock on a task row (the one the test holds). */
    private void awaitWaitingForTheTask() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Connection c = dataSource.getConnection(); ResultSet r = c.createStatement().executeQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                            + " AND query ILIKE '%FROM outbound_task%'")) {
                return r.next() && r.getInt(1) > 0;
            }
        });
    }

    private boolean attemptIsFree(String attemptId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM attempt WHERE id = ?::uuid FOR UPDATE NOWAIT")) {
                s.setString(1, attemptId);
                s.executeQuery();
                return true;
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) { // lock_not_available: someone holds it
                    return false;
                }
                throw e;
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void anAttemptWhoseDeadlinePassedWhileNoProcessRanWaitsForItsEventsAfterAStart() throws Exception {
        String waiting = number(), lost = number();
        String id = create(task(flow, List.of(callerA), List.of(callee(waiting), callee(lost)))
                .with("maxTries", 2).with("retryIntervalSeconds", 1).with("retryOn", List.of("BUSY")).build()).getString("id");
        Originate first = fx.awaitOriginate(id, 1), second = fx.awaitOriginate(id, 2);
        Originate o = first.calleeNumber().equals(waiting) ? first : second;
        Originate gone = o == first ? second : first;
        // the service was down past the originate's deadline, the gateway's BUSY waiting on Kafka; then it starts
        Instant start = Instant.now();
        int moved = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("UPDATE attempt SET expires_at = now() - interval '1 minute' WHERE id = ?1")
                    .setParameter(1, java.util.UUID.fromString(o.attemptId())).executeUpdate();
            return attempts.resumeDeadlines(start);
        });
        assertEquals(1, moved);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT expires_at >= ? FROM attempt WHERE id = ?::uuid")) {
            s.setTimestamp(1, java.sql.Timestamp.from(start.plus(config.originateGrace())));
            s.setString(2, o.attemptId());
            ResultSet r = s.executeQuery();
            assertTrue(r.next() && r.getBoolean(1), "the deadline is originate-grace from the start");
        }
        // an originate truly lost after the start is still given up: once the expiry has done so, it has
        // looked at the first attempt too
        expireNow(gone.attemptId());
        await().atMost(Duration.ofSeconds(20)).until(() -> "NOT_ANSWERED".equals(as(INTEGRATION).json()
                .get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath().getString("items[1].state")));
        fx.fail(o, OriginateOutcome.BUSY); // read from the backlog after the start
        Originate retry = fx.awaitOriginate(id, 3);
        fx.fail(retry, OriginateOutcome.BUSY);
        awaitState(id, "COMPLETED");
        JsonPath c = as(INTEGRATION).json().get("/api/v1/tasks/" + id + "/callees").then().extract().jsonPath();
        assertEquals(List.of("BUSY", "BUSY"), c.getList("items[0].attempts.outcome"), "not FAILED by the expiry, and retried");
        assertEquals(List.of("FAILED"), c.getList("items[1].attempts.outcome"));
    }
}
