package io.callstream.agent.rest;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;

/**
 * What the agent and skill group API tests share: tokens, unique test data (the database is shared by
 * every test class of the JVM), requests, and the events agent-service published.
 */
final class AgentApi {
    static final String ADMIN = TestTokens.token("admin", "alice");
    static final String QA = TestTokens.token("qa", "quinn");
    static final String PROFILE_CHANGED = "io.callstream.agent.profile-changed";
    static final String GROUP_CHANGED = "io.callstream.agent.skill-group-changed";

    // 5-digit extensions, counted up from a random start: unique in this JVM, and apart from the 6-digit
    // ones other test classes pick at random
    private static final AtomicInteger EXTENSIONS = new AtomicInteger(10_000 + new Random().nextInt(40_000));

    static {
        io.restassured.RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private AgentApi() {
    }

    static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static String extension() {
        return String.valueOf(EXTENSIONS.getAndIncrement());
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** A valid agent body: staff number S-{u}, email {u}@example.com, a fresh extension, role AGENT. */
    static Map<String, Object> agent(String u, Object... skills) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("staffNumber", "S-" + u);
        a.put("name", "Agent " + u);
        a.put("nickname", "Nick " + u);
        a.put("email", u + "@example.com");
        a.put("phone", "+86138" + Math.floorMod(u.hashCode(), 100_000));
        a.put("extension", extension());
        a.put("role", "AGENT");
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < skills.length; i += 2) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("skillGroupId", skills[i]);
            if (skills[i + 1] != null) {
                s.put("priority", skills[i + 1]);
            }
            list.add(s);
        }
        a.put("skills", list);
        return a;
    }

    static String createAgent(Map<String, Object> body) {
        return as(ADMIN).body(body).post("/api/v1/agents").then().statusCode(201).extract().path("id");
    }

    static String createGroup(String name) {
        return as(ADMIN).body(Map.of("name", name)).post("/api/v1/skill-groups").then().statusCode(201).extract().path("id");
    }

    /** The events of {@code type} keyed {@code key} on the agent topic so far, in order, as maps. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(String key, String type) {
        return KafkaEvents.shared().readToEndCached(Topics.AGENT_EVENTS).stream()
                .filter(r -> key.equals(r.key()) && type.equals(KafkaEvents.header(r, "ce_type")))
                .peek(r -> {
                    if (!key.equals(KafkaEvents.header(r, "ce_subject"))) {
                        throw new AssertionError("ce_subject " + KafkaEvents.header(r, "ce_subject") + " is not the key " + key);
                    }
                })
                .map(r -> (Map<String, Object>) Json.read(r.value(), Map.class)).toList();
    }
}
