package io.callstream.outbound.dialer;

import io.callstream.contracts.call.Originate;
import io.callstream.contracts.call.OriginateOutcome;
import io.callstream.outbound.OutboundFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.callstream.outbound.OutboundFixture.INTEGRATION;
import static io.callstream.outbound.OutboundFixture.as;
import static io.callstream.outbound.OutboundFixture.callee;
import static io.callstream.outbound.OutboundFixture.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dialer as several replicas would run it: three more threads tick alongside the service's own
 * against one database, while the test plays the gateway (random outcomes, some answered calls held a
 * moment). No callee may be dialed twice for one try, and neither the task's concurrency nor a caller
 * number's limit may ever be exceeded.
 */
@QuarkusTest
class DialerStressTest {
    @Inject
    Dialer dialer;

    private final OutboundFixture fx = new OutboundFixture();

    @Test
    void concurrentDialersNeverDoubleDialNorExceedTheLimits() throws Exception {
        String flow = fx.outboundFlow();
        String n1 = "1" + (3_000_000_000L + ThreadLocalRandom.current().nextLong(6_000_000_000L));
        String n2 = "1" + (3_000_000_000L + ThreadLocalRandom.current().nextLong(6_000_000_000L));
        fx.callerNumber(n1, 3);
        fx.callerNumber(n2, 3);
        List<Map<String, Object>> callees = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            callees.add(callee(Long.toString(15_500_000_000L + ThreadLocalRandom.current().nextLong(100_000_000L) * 10 + i % 10)));
        }
        String id = as(INTEGRATION).json().body(task(flow, List.of(n1, n2), callees).with("maxConcurrentCalls", 8)
                        .with("maxCallsPerSecond", 100).with("maxTries", 2).with("retryIntervalSeconds", 1)
                        .with("retryOn", List.of("BUSY")).build())
                .post("/api/v1/tasks").then().statusCode(201).extract().jsonPath().getString("id");

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger maxInProgress = new AtomicInteger();
        List<Thread> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        dialer.tick();
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }, "replica-dialer-" + r);
            t.start();
            replicas.add(t);
        }
        try {
            Set<String> handled = new HashSet<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
                for (Originate o : fx.originates(id)) {
                    if (handled.add(o.attemptId())) {
                        int roll = ThreadLocalRandom.current().nextInt(10);
                        if (roll < 3) {
                            fx.fail(o, OriginateOutcome.BUSY);
                        } else if (roll < 6) {
                            fx.fail(o, OriginateOutcome.NO_ANSWER);
                        } else {
                            fx.answerAndPress(o, "1");
                        }
                    }
                }
                JsonPath numbers = as(OutboundFixture.ADMIN).json().get("/api/v1/caller-numbers").then().extract().jsonPath();
                for (String n : List.of(n1, n2)) {
                    int inProgress = numbers.getInt("find { it.number == '" + n + "' }.callsInProgress");
                    maxInProgress.accumulateAndGet(inProgress, Math::max);
                    assertTrue(inProgress <= 3, n + " carries " + inProgress + " calls, its limit is 3");
                }
                return "COMPLETED".equals(as(INTEGRATION).json().get("/api/v1/tasks/" + id).then().extract()
                        .jsonPath().getString("state"));
            });
        } finally {
            running.set(false);
            for (Thread t : replicas) {
                t.join(10_000);
            }
        }
        assertNull(failure.get(), () -> "a dialer tick failed: " + failure.get());
        assertTrue(maxInProgress.get() >= 2, "the test exercised concurrency (" + maxInProgress.get() + ")");

        // per callee and try, one attempt and one originate
        List<Originate> all = fx.originates(id);
        Set<String> attemptIds = new HashSet<>();
        all.forEach(o -> attemptIds.add(o.attemptId()));
        assertEquals(all.size(), attemptIds.size(), "an originate was sent twice");
        JsonPath page = as(INTEGRATION).json().queryParam("size", 200).get("/api/v1/tasks/" + id + "/callees").then()
                .extract().jsonPath();
        int attempts = 0;
        for (int i = 0; i < 120; i++) {
            List<Integer> tries = page.getList("items[" + i + "].attempts.tryNumber");
            assertEquals(page.getInt("items[" + i + "].tries"), tries.size(), "callee " + i + " " + tries);
            for (int k = 0; k < tries.size(); k++) {
                assertEquals(k + 1, tries.get(k), "callee " + i + " tries " + tries);
            }
            attempts += tries.size();
        }
        assertEquals(attempts, all.size(), "one originate per attempt");
        assertTrue(attempts > 120, "some were retried: " + attempts);
        JsonPath t = as(INTEGRATION).json().get("/api/v1/tasks/" + id).then().extract().jsonPath();
        assertEquals(120, t.getInt("callees.ANSWERED") + t.getInt("callees.NOT_ANSWERED"));
    }
}
