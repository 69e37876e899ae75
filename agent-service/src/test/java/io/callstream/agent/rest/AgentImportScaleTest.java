package io.callstream.agent.rest;

import io.callstream.contracts.Topics;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static io.callstream.agent.rest.AgentApi.ADMIN;
import static io.callstream.agent.rest.AgentApi.QA;
import static io.callstream.agent.rest.AgentApi.as;
import static io.callstream.agent.rest.AgentApi.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 10,000 agents in 500 skill groups, imported as CSV and as JSON (full files: about 1.5 MB as CSV,
 * 2.5 MB as JSON, within agent-service's 4M body limit), every one published, then found by each
 * search filter and exported. What it prints is for information; the timed figures are
 * system-tests/agent-load's (docs/benchmarks.md), not asserted here.
 */
@QuarkusTest
class AgentImportScaleTest {
    static final int AGENTS = 10_000;
    static final int GROUPS = 500;

    @Inject
    EntityManager em;

    private final String run = unique();

    @AfterEach
    void removeTheBenchAgents() {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("DELETE FROM agent WHERE staff_number LIKE ?1").setParameter(1, "B" + run + "%").executeUpdate();
            em.createNativeQuery("DELETE FROM skill_group WHERE id LIKE ?1").setParameter(1, "bench-" + run + "-%").executeUpdate();
        });
    }

    @Test
    void tenThousandAgentsImportAsCsvAndJsonAndAreAllPublishedFoundAndExported() {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("INSERT INTO skill_group (id, name)"
                + " SELECT 'bench-" + run + "-' || g, 'Bench " + run + " ' || g FROM generate_series(1, " + GROUPS + ") g")
                .executeUpdate());
        List<String> extensions = freeExtensions(2 * AGENTS);

        StringBuilder csv = new StringBuilder(AgentImportTest.HEADER);
        for (int i = 0; i < AGENTS; i++) {
            csv.append(String.format("B%s-C%05d,Bench Agent C%05d,Nick %05d,c%05d.%s@example.com,+86138%08d,%s,%s,%s:1;%s:3\r\n",
                    run, i, i, i, i, run, i, extensions.get(i), i % 10 == 0 ? "qa" : "agent", group(i), group(i + GROUPS / 2)));
        }
        byte[] csvBytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        long csvMillis = timed(() -> given().auth().oauth2(ADMIN).contentType("text/csv").body(csvBytes)
                .post("/api/v1/agents/import").then().statusCode(201).extract().path("imported"), AGENTS);

        List<Map<String, Object>> json = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            json.add(Map.of("staffNumber", String.format("B%s-J%05d", run, i), "name", String.format("Bench Agent J%05d", i),
                    "nickname", String.format("Nick %05d", i), "email", String.format("j%05d.%s@example.com", i, run),
                    "phone", String.format("+86139%08d", i), "extension", extensions.get(AGENTS + i), "role", "AGENT",
                    "skills", List.of(Map.of("skillGroupId", group(i), "priority", 2))));
        }
        byte[] jsonBytes = io.callstream.contracts.Json.write(json);
        long jsonMillis = timed(() -> as(ADMIN).body(jsonBytes).post("/api/v1/agents/import").then().statusCode(201)
                .extract().path("imported"), AGENTS);
        System.out.printf("[scale] import of %d agents: CSV (%d bytes) %d ms, JSON (%d bytes) %d ms%n", AGENTS,
                csvBytes.length, csvMillis, jsonBytes.length, jsonMillis);

        // every agent's profile-changed event leaves the outbox and reaches the topic
        long relayStart = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> unsentEvents() == 0);
        long relayMillis = (System.nanoTime() - relayStart) / 1_000_000;
        long onTopic = KafkaEvents.shared().readToEndCached(Topics.AGENT_EVENTS).stream()
                .filter(r -> AgentApi.PROFILE_CHANGED.equals(KafkaEvents.header(r, "ce_type")))
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"staffNumber\":\"B" + run + "-"))
                .count();
        assertEquals(2 * AGENTS, onTopic);
        System.out.printf("[scale] outbox drained %d ms after the second import returned%n", relayMillis);

        // searches over 20,000+ agents in 500 groups
        String group1 = group(0);
        search("name contains", Map.of("name", "bench agent c0999"), 10);
        search("skill group", Map.of("skillGroup", group1), 3 * AGENTS / GROUPS); // CSV: 20 at 1, 20 at 3; JSON: 20
        search("email", Map.of("email", ("C04321." + run + "@EXAMPLE.COM")), 1);
        search("staff number", Map.of("staffNumber", String.format("B%s-J%05d", run, 4321)), 1);
        search("phone", Map.of("phone", "+8613800004321"), 1);
        search("name, page 199 of 50", Map.of("name", "bench agent", "page", "199", "size", "50"), 2 * AGENTS);
        search("everyone, page 0 of 200", Map.of("size", "200"), -1);

        long exportStart = System.nanoTime();
        String export = given().auth().oauth2(QA).get("/api/v1/agents/export").then().statusCode(200).extract().asString();
        long exportMillis = (System.nanoTime() - exportStart) / 1_000_000;
        long benchRows = export.lines().filter(l -> l.startsWith("B" + run + "-")).count();
        assertEquals(2 * AGENTS, benchRows);
        System.out.printf("[scale] export of %d agents (%d bytes): %d ms%n", export.lines().count() - 1, export.length(), exportMillis);
    }

    private String group(int i) {
        return "bench-" + run + "-" + (i % GROUPS + 1);
    }

    private long timed(Supplier<Integer> request, int expected) {
        long start = System.nanoTime();
        int imported = request.get();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(expected, imported);
        return millis;
    }

    /** Runs the search five times; checks the total (unless negative); prints the median. */
    private void search(String what, Map<String, String> query, int total) {
        long[] millis = new long[5];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            var r = given().auth().oauth2(QA).queryParams(query).get("/api/v1/agents").then().statusCode(200).extract();
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            if (total >= 0) {
                assertEquals(total, r.<Integer>path("total"), what);
            }
        }
        Arrays.sort(millis);
        System.out.printf("[scale] search by %s: median %d ms, max %d ms (HTTP round trip)%n", what, millis[2], millis[4]);
    }

    private long unsentEvents() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL").getSingleResult()).longValue());
    }

    /** 6-digit extensions from 900000 that no agent has (other test classes pick 6-digit ones at random). */
    private List<String> freeExtensions(int n) {
        Set<String> used = new HashSet<>(QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT extension FROM agent", String.class).getResultList()));
        List<String> free = new ArrayList<>(n);
        for (int e = 900_000; free.size() < n; e++) {
            if (!used.contains(String.valueOf(e))) {
                free.add(String.valueOf(e));
            }
        }
        return free;
    }
}
