package io.callstream.agent.rest;

import io.callstream.testkit.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.callstream.agent.rest.AgentApi.ADMIN;
import static io.callstream.agent.rest.AgentApi.PROFILE_CHANGED;
import static io.callstream.agent.rest.AgentApi.QA;
import static io.callstream.agent.rest.AgentApi.agent;
import static io.callstream.agent.rest.AgentApi.as;
import static io.callstream.agent.rest.AgentApi.createAgent;
import static io.callstream.agent.rest.AgentApi.createGroup;
import static io.callstream.agent.rest.AgentApi.events;
import static io.callstream.agent.rest.AgentApi.extension;
import static io.callstream.agent.rest.AgentApi.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bulk import (CSV and JSON, all or nothing) and CSV export, over real HTTP against real PostgreSQL and Kafka. */
@QuarkusTest
class AgentImportTest {
    static final String HEADER = "staffNumber,name,nickname,email,phone,extension,role,skills\r\n";

    static ValidatableResponse importCsv(String csv) {
        io.restassured.RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
        return given().auth().oauth2(ADMIN).contentType("text/csv").body(csv).post("/api/v1/agents/import").then();
    }

    static ValidatableResponse find(String staffNumber) {
        return as(QA).queryParam("staffNumber", staffNumber).get("/api/v1/agents").then().statusCode(200);
    }

    @Test
    void aGoodCsvFileImportsEveryAgentWithSkillsStatesAndEvents() {
        String u = unique();
        String sales = createGroup("Sales " + u);
        String renewals = createGroup("Renewals " + u);
        String e1 = extension();
        String e2 = extension();
        String e3 = extension();
        String csv = HEADER
                + "A-" + u + "-1,\"Lee, \"\"Ann\"\"\",Ann," + u + "-1@example.com,'+8613800000001," + e1 + ",agent," + sales + ":1;" + renewals + "\r\n"
                + "A-" + u + "-2,\"Two, Lines\",," + u + "-2@example.com,," + e2 + ",QA,\r\n"
                + "\r\n" // an empty line is skipped
                + "A-" + u + "-3,Three,,\"" + u + "-3@example.com\",+4930123," + e3 + ",ADMIN,\"" + renewals + ":2\"\r\n";
        importCsv(csv).statusCode(201).body("imported", equalTo(3));

        find("A-" + u + "-1").body("total", equalTo(1)).body("items[0].name", equalTo("Lee, \"Ann\""))
                .body("items[0].nickname", equalTo("Ann")).body("items[0].phone", equalTo("+8613800000001"))
                .body("items[0].endpoint", equalTo("PJSIP/" + e1)).body("items[0].role", equalTo("AGENT"))
                .body("items[0].skills.skillGroupId", contains(sales, renewals)).body("items[0].skills.priority", contains(1, 3))
                .body("items[0].state.state", equalTo("OFFLINE"));
        find("A-" + u + "-2").body("items[0].name", equalTo("Two, Lines")).body("items[0].role", equalTo("QA"))
                .body("items[0].skills", org.hamcrest.Matchers.hasSize(0));
        String third = find("A-" + u + "-3").body("items[0].role", equalTo("ADMIN"))
                .body("items[0].skills.priority", contains(2)).extract().path("items[0].id");
        as(QA).queryParam("skillGroup", renewals).get("/api/v1/agents").then().body("total", equalTo(2));
        as(ADMIN).get("/api/v1/agents/" + third + "/state").then().statusCode(200).body("state", equalTo("OFFLINE"));

        await().untilAsserted(() -> assertEquals(1, events(third, PROFILE_CHANGED).size()));
        Map<String, Object> event = events(third, PROFILE_CHANGED).get(0);
        assertEquals("A-" + u + "-3", event.get("staffNumber"));
        assertEquals("PJSIP/" + e3, event.get("endpoint"));
        assertEquals(List.of(Map.of("skillGroupId", renewals, "priority", 2)), event.get("skills"));
        assertEquals(false, event.get("removed"));
        String first = find("A-" + u + "-1").extract().path("items[0].id");
        await().untilAsserted(() -> assertEquals(1, events(first, PROFILE_CHANGED).size()));
    }

    @Test
    void aJsonArrayOfAgentsImportsLikeCreates() {
        String u = unique();
        String group = createGroup("Json " + u);
        List<Map<String, Object>> agents = List.of(agent(u + "-1", group, 5), agent(u + "-2"));
        agents.get(1).put("role", "admin");
        as(ADMIN).body(agents).post("/api/v1/agents/import").then().statusCode(201).body("imported", equalTo(2));
        find("S-" + u + "-1").body("total", equalTo(1)).body("items[0].skills.priority", contains(5));
        find("S-" + u + "-2").body("items[0].role", equalTo("ADMIN"));
        as(ADMIN).body("{\"staffNumber\": \"x\"}").post("/api/v1/agents/import").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("array"));
        as(ADMIN).body("[{\"staffNumber\": ").post("/api/v1/agents/import").then().statusCode(400)
                .contentType("application/problem+json");
        as(ADMIN).body("[]").post("/api/v1/agents/import").then().statusCode(400).body("errors[0].field", equalTo("rows"));
    }

    @Test
    void everyBadRowIsReportedWithItsNumberAndNothingIsWritten() {
        String u = unique();
        String group = createGroup("Rows " + u);
        Map<String, Object> existing = agent(u + "-old");
        createAgent(existing);
        String csv = HEADER
                + "B-" + u + "-2,Good,,b" + u + "-2@example.com,,"+ extension() + ",agent," + group + ":1\r\n"
                + "B-" + u + "-3,Bad email,,not-an-email,," + extension() + ",agent,\r\n"
                + "B-" + u + "-4,Bad extension and priority,,b" + u + "-4@example.com,12ab,12,agent," + group + ":9\r\n"
                + "B-" + u + "-5,Unknown group,,b" + u + "-5@example.com,," + extension() + ",agent,nowhere-" + u + ":1\r\n"
                + "B-" + u + "-6,Bad role,,b" + u + "-6@example.com,," + extension() + ",boss,\r\n"
                + existing.get("staffNumber") + ",Taken,,b" + u + "-7@example.com,," + existing.get("extension") + ",agent,\r\n"
                + "B-" + u + "-8,,,b" + u + "-8@example.com,," + extension() + ",agent," + group + ":high\r\n"
                + "B-" + u + "-9,Short row\r\n";
        importCsv(csv).statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("nothing was imported"))
                .body("detail", containsString("7 of 8 rows have problems"))
                .body("errors.field", containsInAnyOrder("rows[3].email", "rows[4].phone", "rows[4].extension",
                        "rows[4].skills[0].priority", "rows[5].skills", "rows[6].role", "rows[7].staffNumber",
                        "rows[7].extension", "rows[8].name", "rows[8].skills", "rows[9]"))
                .body("errors.find { it.field == 'rows[5].skills' }.message", containsString("nowhere-" + u))
                .body("errors.find { it.field == 'rows[7].staffNumber' }.message", containsString("has this staff number already"))
                .body("errors.find { it.field == 'rows[9]' }.message", containsString("2 cells"));
        find("B-" + u + "-2").body("total", equalTo(0)); // the good row was not written either
        as(QA).queryParam("skillGroup", group).get("/api/v1/agents").then().body("total", equalTo(0));
    }

    @Test
    void duplicatesWithinTheFileAreReportedNamingTheFirstRow() {
        String u = unique();
        String ext = extension();
        String csv = HEADER
                + "D-" + u + "-1,One,,d" + u + "-1@example.com,," + ext + ",agent,\r\n"
                + "D-" + u + "-2,Two,,D" + u + "-1@EXAMPLE.com,," + extension() + ",agent,\r\n"
                + "D-" + u + "-1,Three,,d" + u + "-3@example.com,," + ext + ",agent,\r\n";
        importCsv(csv).statusCode(400)
                .body("errors.field", containsInAnyOrder("rows[3].email", "rows[4].staffNumber", "rows[4].extension"))
                .body("errors.message", hasItem("the same email as row 2 of this file"))
                .body("errors.message", hasItem("the same staff number as row 2 of this file"));
        find("D-" + u + "-1").body("total", equalTo(0));

        List<Map<String, Object>> json = new ArrayList<>(List.of(agent(u + "-j"), agent(u + "-k")));
        json.get(1).put("extension", json.get(0).get("extension"));
        json.get(1).put("colour", "red");
        json.add(Map.of("staffNumber", "J-" + u, "skills", "not-a-list"));
        as(ADMIN).body(json).post("/api/v1/agents/import").then().statusCode(400)
                .body("errors.field", hasItems("[1].colour", "[2].skills"))
                .body("errors.find { it.field == '[2].skills' }.message", equalTo("expected array"));
        json.get(1).remove("colour");
        json.remove(2);
        as(ADMIN).body(json).post("/api/v1/agents/import").then().statusCode(400)
                .body("errors.field", contains("[1].extension"))
                .body("errors[0].message", equalTo("the same extension as [0] of this file"));
        find("S-" + u + "-j").body("total", equalTo(0));
    }

    @Test
    void aFileOverTheRowLimitOrTheBodyLimitIsRefusedBeforeAnythingIsRead() {
        String u = unique();
        StringBuilder rows = new StringBuilder(HEADER);
        for (int i = 0; i <= 10_000; i++) {
            rows.append("L").append(i).append(",n,,e@x.io,,1000,agent,\n");
        }
        importCsv(rows.toString()).statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("at most 10000 agents"));

        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i <= 10_000; i++) {
            json.append(i == 0 ? "" : ",").append("{}");
        }
        as(ADMIN).body(json.append("]").toString()).post("/api/v1/agents/import").then().statusCode(413)
                .body("detail", containsString("at most 10000 agents"));

        String huge = HEADER + ("H-" + u + ",x,,h@example.com,,1234,agent,\r\n").repeat(130_000); // ~4.3 MB
        assertTrue(huge.length() > 4 * 1_048_576, "above agent-service's 4M body limit");
        importCsv(huge).statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("larger than"));
        find("H-" + u).body("total", equalTo(0));
    }

    @Test
    void aBrokenFileIsRefusedAsAWhole() {
        importCsv("").statusCode(400).body("errors[0].field", equalTo("header"));
        importCsv(HEADER).statusCode(400).body("errors[0].field", equalTo("rows"));
        importCsv("staffNumber,name,email,extension,colour\r\n").statusCode(400)
                .body("errors.field", contains("header", "header"))
                .body("errors.message", hasItem(containsString("unknown column 'colour'")))
                .body("errors.message", hasItem(containsString("'role' is missing")));
        importCsv(HEADER + "Q-1,\"not closed,,q@example.com,,1234,agent,\r\n").statusCode(400)
                .body("errors[0].field", equalTo("rows[2]")).body("detail", containsString("not closed"));
        importCsv(HEADER + "Q-1,\"x\"y,,q@example.com,,1234,agent,\r\n").statusCode(400)
                .body("errors[0].field", equalTo("rows[2]"));
        given().auth().oauth2(ADMIN).contentType("text/csv").body(new byte[]{(byte) 0xff, (byte) 0xfe, 'a', '\n'})
                .post("/api/v1/agents/import").then().statusCode(400).body("detail", containsString("UTF-8"));
        given().auth().oauth2(ADMIN).contentType("application/xml").body("<agents/>")
                .post("/api/v1/agents/import").then().statusCode(415).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.token("agent", "nobody")).contentType("text/csv").body(HEADER)
                .post("/api/v1/agents/import").then().statusCode(403);
    }

    @Test
    void theExportNeutralisesFormulasAndImportsElsewhere() {
        String u = unique();
        String group = createGroup("Export " + u);
        Map<String, Object> a = agent(u, group, 2);
        a.put("name", "=cmd|' /C calc'!A0");
        a.put("nickname", "@SUM(1+1)");
        a.put("phone", "+4930123456");
        createAgent(a);
        Map<String, Object> b = agent(u + "-b");
        b.put("name", "-2+3, \"quoted\"");
        b.put("nickname", null);
        b.put("phone", null);
        createAgent(b);

        var export = given().auth().oauth2(QA).get("/api/v1/agents/export").then().statusCode(200)
                .contentType(startsWith("text/csv")).header("Content-Disposition", containsString("agents.csv")).extract();
        String body = export.asString();
        assertTrue(body.startsWith(HEADER), body.substring(0, Math.min(200, body.length())));
        String line = line(body, "S-" + u + ",");
        assertEquals("S-" + u + ",\"'=cmd|' /C calc'!A0\",\"'@SUM(1+1)\"," + u + "@example.com,\"'+4930123456\","
                + a.get("extension") + ",AGENT," + group + ":2", line);
        assertEquals("S-" + u + "-b,\"'-2+3, \"\"quoted\"\"\",," + u + "-b@example.com,," + b.get("extension") + ",AGENT,",
                line(body, "S-" + u + "-b,"));
        assertFalse(body.contains(",=cmd"), "a formula is never written raw");
        assertFalse(body.contains(",@SUM"));

        // the exported row imports elsewhere (here: under new unique values) with the original text back
        String moved = line.replace("S-" + u + ",", "M-" + u + ",").replace(u + "@example.com", "m" + u + "@example.com")
                .replace("," + a.get("extension") + ",", "," + extension() + ",");
        importCsv(HEADER + moved + "\r\n").statusCode(201).body("imported", equalTo(1));
        find("M-" + u).body("items[0].name", equalTo("=cmd|' /C calc'!A0")).body("items[0].nickname", equalTo("@SUM(1+1)"))
                .body("items[0].phone", equalTo("+4930123456")).body("items[0].skills.priority", contains(2));
    }

    private static String line(String csv, String start) {
        return csv.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starts with " + start));
    }
}
