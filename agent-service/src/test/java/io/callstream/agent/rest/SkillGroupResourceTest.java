package io.callstream.agent.rest;

import io.callstream.testkit.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.callstream.agent.rest.AgentApi.ADMIN;
import static io.callstream.agent.rest.AgentApi.GROUP_CHANGED;
import static io.callstream.agent.rest.AgentApi.PROFILE_CHANGED;
import static io.callstream.agent.rest.AgentApi.QA;
import static io.callstream.agent.rest.AgentApi.agent;
import static io.callstream.agent.rest.AgentApi.as;
import static io.callstream.agent.rest.AgentApi.createAgent;
import static io.callstream.agent.rest.AgentApi.createGroup;
import static io.callstream.agent.rest.AgentApi.events;
import static io.callstream.agent.rest.AgentApi.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The skill group API and its member endpoints over real HTTP, with their events on the real broker. */
@QuarkusTest
class SkillGroupResourceTest {

    @Test
    void aGroupIsCreatedReadReplacedAndDeletedAndEachChangeIsPublishedKeyedByTheGroup() {
        String u = unique();
        var created = as(ADMIN).body(Map.of("name", "Pre-sales Été " + u)).post("/api/v1/skill-groups").then()
                .statusCode(201).body("id", equalTo("pre-sales-ete-" + u)).body("receptionLimit", equalTo(1))
                .body("afterCallWorkSeconds", nullValue()).body("memberCount", equalTo(0)).extract();
        String id = created.path("id");
        assertTrue(created.header("Location").endsWith("/api/v1/skill-groups/" + id), created.header("Location"));

        as(QA).get("/api/v1/skill-groups/" + id).then().statusCode(200).body("name", equalTo("Pre-sales Été " + u));
        as(ADMIN).body(Map.of("id", id + "-x", "name", "PRE-SALES ÉTÉ " + u)).post("/api/v1/skill-groups").then()
                .statusCode(409).contentType("application/problem+json").body("errors.field", contains("name"));
        as(ADMIN).body(Map.of("id", id, "name", "Another " + u)).post("/api/v1/skill-groups").then()
                .statusCode(409).body("errors.field", contains("id"));

        as(ADMIN).body(Map.of("name", "Pre-sales " + u, "receptionLimit", 1, "afterCallWorkSeconds", 30))
                .put("/api/v1/skill-groups/" + id).then().statusCode(200).body("id", equalTo(id))
                .body("name", equalTo("Pre-sales " + u)).body("afterCallWorkSeconds", equalTo(30));
        as(ADMIN).body(Map.of("id", "renamed-" + u, "name", "Pre-sales " + u)).put("/api/v1/skill-groups/" + id).then()
                .statusCode(400).body("errors.field", contains("id"));
        as(QA).get("/api/v1/skill-groups/" + id).then().statusCode(200).body("afterCallWorkSeconds", equalTo(30));

        as(ADMIN).delete("/api/v1/skill-groups/" + id).then().statusCode(204);
        as(QA).get("/api/v1/skill-groups/" + id).then().statusCode(404).contentType("application/problem+json");
        as(ADMIN).delete("/api/v1/skill-groups/" + id).then().statusCode(404);

        await().untilAsserted(() -> assertEquals(3, events(id, GROUP_CHANGED).size()));
        List<Map<String, Object>> published = events(id, GROUP_CHANGED);
        assertEquals(Map.of("skillGroupId", id, "name", "Pre-sales Été " + u, "receptionLimit", 1, "removed", false),
                published.get(0), "afterCallWorkSeconds is absent: the global default");
        assertEquals(Map.of("skillGroupId", id, "name", "Pre-sales " + u, "receptionLimit", 1, "afterCallWorkSeconds", 30,
                "removed", false), published.get(1));
        assertEquals(true, published.get(2).get("removed"));
        assertEquals("Pre-sales " + u, published.get(2).get("name"));
    }

    @Test
    void anIdIsChosenOrDerivedAndBadValuesAreRefusedNamingTheField() {
        String u = unique();
        as(ADMIN).body(Map.of("id", "renewals-" + u, "name", "Renewals desk " + u, "receptionLimit", 2))
                .post("/api/v1/skill-groups").then().statusCode(201).body("id", equalTo("renewals-" + u))
                .body("receptionLimit", equalTo(2));
        // a derived id that is taken gets a suffix
        String first = createGroup("Support " + u);
        String second = as(ADMIN).body(Map.of("id", "support-" + u + "-b", "name", "Other " + u)).post("/api/v1/skill-groups")
                .then().statusCode(201).extract().path("id");
        as(ADMIN).body(Map.of("name", " SUPPORT " + u + "  ")).post("/api/v1/skill-groups").then().statusCode(409)
                .body("errors.field", contains("name")); // trimmed, ignoring case
        assertEquals("support-" + u, first);
        assertEquals("support-" + u + "-b", second);
        as(ADMIN).body(Map.of("name", "Support: " + u)).post("/api/v1/skill-groups").then().statusCode(201)
                .body("id", equalTo("support-" + u + "-2"));

        as(ADMIN).body(Map.of("id", "Bad_Id", "name", "Bad " + u, "receptionLimit", 0, "afterCallWorkSeconds", 3601))
                .post("/api/v1/skill-groups").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("id", "receptionLimit", "afterCallWorkSeconds"));
        as(ADMIN).body(Map.of("afterCallWorkSeconds", -1)).post("/api/v1/skill-groups").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("name", "afterCallWorkSeconds"));
        as(ADMIN).body(Map.of("name", "x", "receptionLimit", "many")).post("/api/v1/skill-groups").then().statusCode(400)
                .body("errors.field", contains("receptionLimit"));
        as(QA).get("/api/v1/skill-groups/bad_id").then().statusCode(404);

        as(QA).body(Map.of("name", "Qa " + u)).post("/api/v1/skill-groups").then().statusCode(403);
        as(TestTokens.token("agent", "someone")).get("/api/v1/skill-groups").then().statusCode(403);
        as(QA).body(Map.of("name", "Qa " + u)).put("/api/v1/skill-groups/" + first).then().statusCode(403);
        as(QA).delete("/api/v1/skill-groups/" + first).then().statusCode(403);
    }

    @Test
    void membersAreAddedReprioritisedAndRemovedAndEachChangePublishesTheAgentsProfile() {
        String u = unique();
        String group = createGroup("Billing " + u);
        String ann = createAgent(agent(u + "-ann"));
        String bob = createAgent(agent(u + "-bob"));
        String members = "/api/v1/skill-groups/" + group + "/members/";

        as(ADMIN).body(Map.of("priority", 1)).put(members + ann).then().statusCode(201)
                .body("agentId", equalTo(ann)).body("priority", equalTo(1)).body("state.state", equalTo("OFFLINE"));
        as(ADMIN).body(Map.of()).put(members + bob).then().statusCode(201).body("priority", equalTo(3));
        as(ADMIN).body(Map.of("priority", 2)).put(members + ann).then().statusCode(200).body("priority", equalTo(2));
        as(ADMIN).body(Map.of("priority", 2)).put(members + ann).then().statusCode(200); // no change
        as(ADMIN).body(Map.of("priority", 9)).put(members + ann).then().statusCode(400).body("errors.field", contains("priority"));
        as(ADMIN).body(Map.of("priority", 0)).put(members + bob).then().statusCode(400);
        as(ADMIN).body(Map.of("priority", 1)).put(members + UUID.randomUUID()).then().statusCode(404);
        as(ADMIN).body(Map.of("priority", 1)).put("/api/v1/skill-groups/no-such-" + u + "/members/" + ann).then().statusCode(404);
        as(QA).body(Map.of("priority", 1)).put(members + ann).then().statusCode(403);

        as(QA).get("/api/v1/skill-groups/" + group + "/members").then().statusCode(200).body("total", equalTo(2))
                .body("items.agentId", contains(ann, bob)).body("items.priority", contains(2, 3))
                .body("items[0].staffNumber", equalTo("S-" + u + "-ann")).body("items[0].endpoint", containsString("PJSIP/"));
        as(QA).queryParam("size", 1).queryParam("page", 1).get("/api/v1/skill-groups/" + group + "/members").then()
                .statusCode(200).body("total", equalTo(2)).body("items.agentId", contains(bob));
        as(QA).get("/api/v1/skill-groups/" + group).then().body("memberCount", equalTo(2));
        as(QA).get("/api/v1/agents/" + ann).then().body("skills.skillGroupId", contains(group))
                .body("skills.priority", contains(2)).body("skills.name", contains("Billing " + u));

        as(ADMIN).delete("/api/v1/skill-groups/" + group).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("2 members"));
        as(ADMIN).delete(members + ann).then().statusCode(204);
        as(ADMIN).delete(members + ann).then().statusCode(404);
        as(ADMIN).delete("/api/v1/skill-groups/" + group).then().statusCode(409).body("detail", containsString("1 member;"));
        as(ADMIN).delete(members + bob).then().statusCode(204);
        as(QA).get("/api/v1/skill-groups/" + group + "/members").then().statusCode(200).body("total", equalTo(0))
                .body("items", hasSize(0));
        as(ADMIN).delete("/api/v1/skill-groups/" + group).then().statusCode(204);
        as(QA).get("/api/v1/skill-groups/" + group + "/members").then().statusCode(404);

        // ann: created, added at 1, moved to 2, removed (the unchanged PUT published nothing)
        List<Object> expected = List.of(List.of(), List.of(Map.of("skillGroupId", group, "priority", 1)),
                List.of(Map.of("skillGroupId", group, "priority", 2)), List.of());
        await().untilAsserted(() -> assertEquals(expected,
                events(ann, PROFILE_CHANGED).stream().map(e -> e.get("skills")).toList()));
        await().untilAsserted(() -> assertEquals(3, events(bob, PROFILE_CHANGED).size()));
    }

    @Test
    void theListIsPagedByNameWithMemberCounts() {
        String u = unique();
        List<String> ids = new ArrayList<>();
        for (String n : List.of("c", "a", "b")) {
            ids.add(createGroup("List " + u + " " + n));
        }
        String member = createAgent(agent(u, ids.get(1), 1)); // in "a"

        Map<String, Integer> counts = new HashMap<>();
        List<String> order = new ArrayList<>();
        int page = 0;
        long total;
        do {
            var p = as(QA).queryParam("size", 200).queryParam("page", page).get("/api/v1/skill-groups").then()
                    .statusCode(200).extract().jsonPath();
            total = p.getLong("total");
            List<Map<String, Object>> items = p.getList("items");
            for (Map<String, Object> g : items) {
                if (ids.contains(g.get("id"))) {
                    order.add((String) g.get("name"));
                    counts.put((String) g.get("name"), (Integer) g.get("memberCount"));
                }
            }
            page++;
        } while ((long) page * 200 < total);
        assertEquals(List.of("List " + u + " a", "List " + u + " b", "List " + u + " c"), order);
        assertEquals(Map.of("List " + u + " a", 1, "List " + u + " b", 0, "List " + u + " c", 0), counts);
        as(QA).queryParam("size", 2).get("/api/v1/skill-groups").then().statusCode(200).body("items", hasSize(2));
        as(QA).queryParam("size", 500).get("/api/v1/skill-groups").then().statusCode(400).body("errors[0].field", equalTo("size"));
        as(ADMIN).delete("/api/v1/agents/" + member).then().statusCode(204);
        as(QA).get("/api/v1/skill-groups/" + ids.get(1)).then().body("memberCount", equalTo(0));
    }
}
