package io.callstream.agent.rest;

import io.callstream.testkit.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.callstream.agent.rest.AgentApi.ADMIN;
import static io.callstream.agent.rest.AgentApi.PROFILE_CHANGED;
import static io.callstream.agent.rest.AgentApi.QA;
import static io.callstream.agent.rest.AgentApi.agent;
import static io.callstream.agent.rest.AgentApi.as;
import static io.callstream.agent.rest.AgentApi.createAgent;
import static io.callstream.agent.rest.AgentApi.createGroup;
import static io.callstream.agent.rest.AgentApi.events;
import static io.callstream.agent.rest.AgentApi.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The agents API over real HTTP, against real PostgreSQL, with the events checked on the real broker. */
@QuarkusTest
class AgentResourceTest {

    @Inject
    EntityManager em;

    @Test
    void anAgentIsCreatedReadReplacedAndDeletedAndEachChangePublishesItsWholeProfile() {
        String u = unique();
        String sales = createGroup("Sales " + u);
        String renewals = createGroup("Renewals " + u);
        Map<String, Object> body = agent(u, sales, 1, renewals, null);
        body.put("role", "agent"); // lower case is accepted too
        String extension = (String) body.get("extension");

        var response = as(ADMIN).body(body).post("/api/v1/agents").then().statusCode(201).extract();
        String id = response.path("id");
        assertEquals(true, response.header("Location").endsWith("/api/v1/agents/" + id), response.header("Location"));
        as(QA).get("/api/v1/agents/" + id).then().statusCode(200)
                .body("staffNumber", equalTo("S-" + u)).body("nickname", equalTo("Nick " + u))
                .body("email", equalTo(u + "@example.com")).body("extension", equalTo(extension))
                .body("endpoint", equalTo("PJSIP/" + extension)).body("role", equalTo("AGENT"))
                .body("skills.skillGroupId", contains(sales, renewals))
                .body("skills.name", contains("Sales " + u, "Renewals " + u))
                .body("skills.priority", contains(1, 3))
                .body("state.state", equalTo("OFFLINE"));
        // the state machine finds the agent's state row created with it
        as(ADMIN).get("/api/v1/agents/" + id + "/state").then().statusCode(200).body("state", equalTo("OFFLINE"));

        body.put("name", "Renamed " + u);
        String newExtension = AgentApi.extension();
        body.put("extension", newExtension);
        body.put("skills", List.of(Map.of("skillGroupId", renewals, "priority", 2)));
        as(ADMIN).body(body).put("/api/v1/agents/" + id).then().statusCode(200)
                .body("name", equalTo("Renamed " + u)).body("endpoint", equalTo("PJSIP/" + newExtension))
                .body("skills.skillGroupId", contains(renewals)).body("skills.priority", contains(2));

        as(ADMIN).delete("/api/v1/agents/" + id).then().statusCode(204);
        as(QA).get("/api/v1/agents/" + id).then().statusCode(404).contentType("application/problem+json");
        as(ADMIN).delete("/api/v1/agents/" + id).then().statusCode(404);

        await().untilAsserted(() -> assertEquals(3, events(id, PROFILE_CHANGED).size()));
        List<Map<String, Object>> published = events(id, PROFILE_CHANGED);
        Map<String, Object> created = published.get(0);
        assertEquals(id, created.get("agentId"));
        assertEquals("S-" + u, created.get("staffNumber"));
        assertEquals("PJSIP/" + extension, created.get("endpoint"));
        assertEquals("AGENT", created.get("role"));
        assertEquals(List.of(Map.of("skillGroupId", sales, "priority", 1), Map.of("skillGroupId", renewals, "priority", 3)),
                created.get("skills"));
        assertEquals(false, created.get("removed"));
        Map<String, Object> replaced = published.get(1);
        assertEquals("Renamed " + u, replaced.get("name"));
        assertEquals("PJSIP/" + newExtension, replaced.get("endpoint"));
        assertEquals(List.of(Map.of("skillGroupId", renewals, "priority", 2)), replaced.get("skills"));
        Map<String, Object> removed = published.get(2);
        assertEquals(true, removed.get("removed"));
        assertEquals("Renamed " + u, removed.get("name"), "a removal carries the last profile");
        assertEquals(List.of(Map.of("skillGroupId", renewals, "priority", 2)), removed.get("skills"));
    }
    @Test
    void aStaffNumberEmailOrExtensionAnotherAgentHasIsRefusedNamingTheField() {
        String u = unique();
        Map<String, Object> first = agent(u);
        String firstId = createAgent(first);

        String v = unique();
        Map<String, Object> second = agent(v);
        second.put("staffNumber", first.get("staffNumber"));
        as(ADMIN).body(second).post("/api/v1/agents").then().statusCode(409).contentType("application/problem+json")
                .body("errors.field", contains("staffNumber")).body("detail", containsString("S-" + u));
        second = agent(v);
        second.put("email", u.toUpperCase() + "@EXAMPLE.com");
        as(ADMIN).body(second).post("/api/v1/agents").then().statusCode(409).body("errors.field", contains("email"));
        second = agent(v);
        second.put("extension", first.get("extension"));
        as(ADMIN).body(second).post("/api/v1/agents").then().statusCode(409).body("errors.field", contains("extension"));
        as(QA).queryParam("staffNumber", "S-" + v).get("/api/v1/agents").then().statusCode(200).body("total", equalTo(0));

        // the same on replace: the other agent is left as it was
        Map<String, Object> other = agent(v);
        String otherId = createAgent(other);
        Map<String, Object> clash = new java.util.HashMap<>(other);
        clash.put("extension", first.get("extension"));
        clash.put("name", "Changed " + v);
        as(ADMIN).body(clash).put("/api/v1/agents/" + otherId).then().statusCode(409).body("errors.field", contains("extension"));
        as(QA).get("/api/v1/agents/" + otherId).then().statusCode(200).body("name", equalTo("Agent " + v))
                .body("extension", equalTo(other.get("extension")));
        // keeping its own values is no clash
        as(ADMIN).body(other).put("/api/v1/agents/" + otherId).then().statusCode(200);
        as(ADMIN).body(first).put("/api/v1/agents/" + firstId).then().statusCode(200);
    }

    @Test
    void badInputIsRefusedWithEveryFieldNamedAndNothingWritten() {
        String u = unique();
        Map<String, Object> bad = agent(u, "no-such-group-" + u, 9);
        bad.put("email", "not-an-email");
        bad.put("phone", "12ab");
        bad.put("extension", "12");
        bad.put("role", "boss");
        as(ADMIN).body(bad).post("/api/v1/agents").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("email", "phone", "extension", "role", "skills[0].priority"))
                .body("errors.find { it.field == 'role' }.message", containsString("ADMIN, QA, AGENT"));

        as(ADMIN).body(agent(u, "no-such-group-" + u, 1)).post("/api/v1/agents").then().statusCode(400)
                .body("errors.field", contains("skills[0].skillGroupId"))
                .body("errors[0].message", containsString("no-such-group-" + u));
        as(ADMIN).body(Map.of()).post("/api/v1/agents").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("staffNumber", "name", "email", "extension", "role"));
        Map<String, Object> unknownField = agent(u);
        unknownField.put("colour", "red");
        as(ADMIN).body(unknownField).post("/api/v1/agents").then().statusCode(400).body("errors[0].field", equalTo("colour"));
        Map<String, Object> longExtension = agent(u);
        longExtension.put("extension", "1234567");
        as(ADMIN).body(longExtension).post("/api/v1/agents").then().statusCode(400).body("errors.field", contains("extension"));
        Map<String, Object> badStaff = agent(u);
        badStaff.put("staffNumber", "=1+2");
        as(ADMIN).body(badStaff).post("/api/v1/agents").then().statusCode(400).body("errors.field", contains("staffNumber"));
        as(ADMIN).body("[1, 2]").post("/api/v1/agents").then().statusCode(400).contentType("application/problem+json");

        as(QA).queryParam("staffNumber", "S-" + u).get("/api/v1/agents").then().statusCode(200).body("total", equalTo(0));
        as(QA).get("/api/v1/agents/not-a-uuid").then().statusCode(404).contentType("application/problem+json");
        as(ADMIN).body(agent(u)).put("/api/v1/agents/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void searchFiltersByEachFieldAndPagesInStaffNumberOrder() {
        String u = unique();
        String team = createGroup("Team " + u);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Map<String, Object> a = i % 2 == 1 ? agent(u + "-" + i, team, i) : agent(u + "-" + i);
            a.put("name", "Zoë " + u + " Number" + i);
            a.put("phone", "+4930" + (1000 + i));
            ids.add(createAgent(a));
        }
        // name: contains, ignoring case; sorted by staff number; paged
        as(QA).queryParam("name", u.toUpperCase() + " number").queryParam("size", 2).get("/api/v1/agents").then()
                .statusCode(200).body("total", equalTo(5)).body("size", equalTo(2)).body("page", equalTo(0))
                .body("items.staffNumber", contains("S-" + u + "-1", "S-" + u + "-2"));
        as(QA).queryParam("name", u + " number").queryParam("size", 2).queryParam("page", 2).get("/api/v1/agents").then()
                .statusCode(200).body("total", equalTo(5)).body("items.staffNumber", contains("S-" + u + "-5"));
        as(QA).queryParam("name", u + " number").queryParam("size", 2).queryParam("page", 3).get("/api/v1/agents").then()
                .statusCode(200).body("total", equalTo(5)).body("items", hasSize(0));
        // a % in the name is text, not a wildcard
        as(QA).queryParam("name", u + "%number").get("/api/v1/agents").then().statusCode(200).body("total", equalTo(0));

        as(QA).queryParam("staffNumber", "S-" + u + "-3").get("/api/v1/agents").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(2)));
        as(QA).queryParam("email", (u + "-4@EXAMPLE.COM")).get("/api/v1/agents").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(3)));
        as(QA).queryParam("phone", "+49301002").queryParam("name", u).get("/api/v1/agents").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(1)));
        // members of the group, with their skills and state in the list
        as(QA).queryParam("skillGroup", team).get("/api/v1/agents").then().statusCode(200)
                .body("total", equalTo(3)).body("items.staffNumber", contains("S-" + u + "-1", "S-" + u + "-3", "S-" + u + "-5"))
                .body("items[1].skills[0].name", equalTo("Team " + u)).body("items[1].skills[0].priority", equalTo(3))
                .body("items[1].state.state", equalTo("OFFLINE")).body("items[1].endpoint", containsString("PJSIP/"));
        as(QA).queryParam("skillGroup", team).queryParam("staffNumber", "S-" + u + "-2").get("/api/v1/agents").then()
                .statusCode(200).body("total", equalTo(0));

        as(QA).queryParam("size", 0).get("/api/v1/agents").then().statusCode(400).body("errors[0].field", equalTo("size"));
        as(QA).queryParam("size", 201).get("/api/v1/agents").then().statusCode(400).body("errors[0].field", equalTo("size"));
        as(QA).queryParam("page", -1).get("/api/v1/agents").then().statusCode(400).body("errors[0].field", equalTo("page"));
    }

    @Test
    void anAgentReadsOnlyItselfAndQaOnlyReads() {
        String u = unique();
        String id = createAgent(agent(u));
        String otherId = createAgent(agent(unique()));
        String self = TestTokens.token("agent", id);
        String selfByStaffNumber = TestTokens.token("agent", "S-" + u);

        as(self).get("/api/v1/agents/" + id).then().statusCode(200).body("staffNumber", equalTo("S-" + u));
        as(selfByStaffNumber).get("/api/v1/agents/" + id).then().statusCode(200);
        as(self).get("/api/v1/agents/" + otherId).then().statusCode(403).contentType("application/problem+json");
        as(self).get("/api/v1/agents").then().statusCode(403);
        given().auth().oauth2(self).get("/api/v1/agents/export").then().statusCode(403);
        as(self).body(agent(u)).put("/api/v1/agents/" + id).then().statusCode(403);
        as(self).delete("/api/v1/agents/" + id).then().statusCode(403);

        as(QA).get("/api/v1/agents/" + otherId).then().statusCode(200);
        as(QA).body(agent(unique())).post("/api/v1/agents").then().statusCode(403);
        as(QA).body(agent(u)).put("/api/v1/agents/" + id).then().statusCode(403);
        as(QA).delete("/api/v1/agents/" + id).then().statusCode(403);
        given().auth().oauth2(QA).contentType("text/csv").body("staffNumber,name,email,extension,role\n")
                .post("/api/v1/agents/import").then().statusCode(403);
        given().get("/api/v1/agents/" + id).then().statusCode(401);

        as(ADMIN).get("/api/v1/agents/" + id).then().statusCode(200);
        await().untilAsserted(() -> assertEquals(1, events(id, PROFILE_CHANGED).size(), "reads publish nothing"));
    }

    @Test
    void anAgentOnACallIsNotDeleted() {
        String id = createAgent(agent(unique()));
        setState(id, "BUSY");
        as(ADMIN).delete("/api/v1/agents/" + id).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("on a call")).body("errors[0].field", equalTo("state"));
        setState(id, "RINGING");
        as(ADMIN).delete("/api/v1/agents/" + id).then().statusCode(409).body("detail", containsString("RINGING"));
        as(QA).get("/api/v1/agents/" + id).then().statusCode(200).body("state.state", equalTo("RINGING"));

        setState(id, "AFTER_CALL_WORK");
        as(ADMIN).delete("/api/v1/agents/" + id).then().statusCode(204);
        as(QA).get("/api/v1/agents/" + id).then().statusCode(404);
        await().untilAsserted(() -> assertEquals(List.of(false, true),
                events(id, PROFILE_CHANGED).stream().map(e -> e.get("removed")).toList()));
    }

    private void setState(String agentId, String state) {
        QuarkusTransaction.requiringNew().run(() -> assertEquals(1, em.createNativeQuery(
                        "UPDATE agent_state SET state = ?1, since = now() WHERE agent_id = ?2")
                .setParameter(1, state).setParameter(2, UUID.fromString(agentId)).executeUpdate()));
    }
}
