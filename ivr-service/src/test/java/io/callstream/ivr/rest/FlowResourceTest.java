package io.callstream.ivr.rest;

import io.callstream.testkit.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** The flow and number APIs over real HTTP, against the service's own PostgreSQL. */
@QuarkusTest
class FlowResourceTest {
    private static final String ADMIN = TestTokens.token("admin", "alice");
    private static final String QA = TestTokens.token("qa", "quentin");
    private static final String AGENT = TestTokens.token("agent", "agnes");

    @Test
    void createPublishBindRollbackAndDeleteAFlow() {
        String name = "Order line " + UUID.randomUUID();
        String doc = demo("inbound-order-line.json").replace("\"Inbound order line\"", "\"" + name + "\"");
        String id = as(ADMIN).body(doc).post("/api/v1/flows").then().statusCode(201)
                .header("Location", containsString("/api/v1/flows/"))
                .body("name", equalTo(name)).body("kind", equalTo("INBOUND")).body("activeVersion", nullValue())
                .body("draft.nodes", hasSize(11)).extract().path("id");

        // a number needs a published inbound flow
        String number = "+86" + (100_000_000 + (int) (Math.random() * 800_000_000));
        bind(ADMIN, number, id).statusCode(409).body("detail", containsString("no published version"));

        as(ADMIN).post("/api/v1/flows/" + id + "/versions").then().statusCode(201).body("version", equalTo(1))
                .body("active", equalTo(true));
        bind(ADMIN, number, id).statusCode(200).body("flowId", equalTo(id)).body("boundBy", equalTo("alice"));
        as(QA).get("/api/v1/numbers/" + number).then().statusCode(200).body("flowId", equalTo(id));

        // edit the draft and publish again: version 2 is live, version 1 keeps its definition
        String edited = doc.replace("Welcome to the order line.", "Welcome back to the order line.");
        as(ADMIN).body(edited).put("/api/v1/flows/" + id).then().statusCode(200).body("activeVersion", equalTo(1));
        as(ADMIN).post("/api/v1/flows/" + id + "/versions").then().statusCode(201).body("version", equalTo(2));
        as(QA).get("/api/v1/flows/" + id + "/versions").then().statusCode(200)
                .body("version", equalTo(java.util.List.of(2, 1))).body("active", equalTo(java.util.List.of(true, false)));
        as(QA).get("/api/v1/flows/" + id + "/versions/1").then().statusCode(200)
                .body("definition.nodes[1].settings.prompt.text", equalTo("Welcome to the order line."));

        as(ADMIN).body("{\"version\": 1}").post("/api/v1/flows/" + id + "/rollback").then().statusCode(200)
                .body("activeVersion", equalTo(1));
        as(ADMIN).body("{\"version\": 7}").post("/api/v1/flows/" + id + "/rollback").then().statusCode(404);

        // export → import under another name gives the same nodes
        String exported = as(QA).get("/api/v1/flows/" + id + "/export").then().statusCode(200)
                .header("Content-Disposition", containsString("attachment")).extract().asString();
        String copyName = name + " copy";
        as(ADMIN).body(exported.replace(name, copyName)).post("/api/v1/flows/import").then().statusCode(201)
                .body("name", equalTo(copyName)).body("draft.nodes", hasSize(11));
        as(ADMIN).body(exported).post("/api/v1/flows/import").then().statusCode(409).body("errors[0].field", equalTo("name"));

        // delete is refused while bound, allowed after unbinding
        as(ADMIN).delete("/api/v1/flows/" + id).then().statusCode(409).body("detail", containsString(number));
        as(ADMIN).delete("/api/v1/numbers/" + number).then().statusCode(204);
        as(ADMIN).delete("/api/v1/flows/" + id).then().statusCode(204);
        as(QA).get("/api/v1/flows/" + id).then().statusCode(404);
    }

    @Test
    void anInvalidFlowIsRefusedWithEveryErrorNamingItsNodeAndNothingIsSaved() {
        String name = "Broken " + UUID.randomUUID();
        String broken = demo("inbound-order-line.json").replace("\"Inbound order line\"", "\"" + name + "\"")
                .replace("Asia/Shanghai", "Asia/Atlantis")
                .replace("\"maxDigits\": 12", "\"maxDigits\": 12, \"colour\": \"red\"")
                .replace("https://orders.example.com/api/v1/orders/lookup", "http://169.254.169.254/latest/meta-data");
        ValidatableResponse refused = as(ADMIN).body(broken).post("/api/v1/flows").then().statusCode(422)
                .contentType("application/problem+json");
        refused.body("errors.node", hasItem("hours")).body("errors.field", hasItem("timeZone"))
                .body("errors.node", hasItem("orderNumber")).body("errors.field", hasItem("colour"))
                .body("errors.node", hasItem("lookup")).body("errors.field", hasItem("url"));
        as(QA).queryParam("size", 200).get("/api/v1/flows").then().statusCode(200)
                .body("items.name", org.hamcrest.Matchers.not(hasItem(name)));

        // validate without saving answers the same errors as a report
        as(QA).body(broken).post("/api/v1/flows/validate").then().statusCode(200).body("valid", equalTo(false))
                .body("errors.node", hasItem("hours"));
        as(QA).body(demo("outbound-renewal-reminder.json")).post("/api/v1/flows/validate").then().statusCode(200)
                .body("valid", equalTo(true)).body("errors", hasSize(0));
    }

    @Test
    void rolesAndBadRequestsGetProblems() {
        as(AGENT).get("/api/v1/flows").then().statusCode(403);
        given().get("/api/v1/flows").then().statusCode(401);
        as(QA).body(demo("outbound-renewal-reminder.json")).post("/api/v1/flows").then().statusCode(403);
        as(ADMIN).body("{\"name\": \"x\", \"kind\": \"SIDEWAYS\", \"nodes\": []}").post("/api/v1/flows").then()
                .statusCode(400).contentType("application/problem+json");
        as(ADMIN).body("{\"name\": \"x\", \"kind\": \"INBOUND\", \"nodes\": [], \"extra\": 1}").post("/api/v1/flows").then()
                .statusCode(400).body("errors[0].field", equalTo("extra"));
        as(QA).get("/api/v1/flows/" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json");
        as(QA).queryParam("size", 0).get("/api/v1/flows").then().statusCode(400).body("errors[0].field", equalTo("size"));
        bind(ADMIN, "not-a-number", UUID.randomUUID().toString()).statusCode(400).body("errors[0].field", equalTo("number"));
        bind(ADMIN, "4009", UUID.randomUUID().toString()).statusCode(422).body("errors[0].field", equalTo("flowId"));

        String name = "Renewal " + UUID.randomUUID();
        String outbound = as(ADMIN).body(demo("outbound-renewal-reminder.json").replace("\"Renewal reminder\"", "\"" + name + "\""))
                .post("/api/v1/flows").then().statusCode(201).extract().path("id");
        as(ADMIN).post("/api/v1/flows/" + outbound + "/versions").then().statusCode(201);
        bind(ADMIN, "4010", outbound).statusCode(409).body("detail", containsString("outbound flow"));
    }

    private static io.restassured.specification.RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    private static ValidatableResponse bind(String token, String number, String flowId) {
        return as(token).body("{\"flowId\": \"" + flowId + "\"}").put("/api/v1/numbers/" + number).then();
    }

    static String demo(String file) {
        try (InputStream in = FlowResourceTest.class.getResourceAsStream("/flows/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
