package io.callstream.servicekit.problem;

import io.callstream.servicekit.outbox.OutboxMessage;
import io.callstream.servicekit.testapp.Widget;
import io.callstream.testkit.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each kind of bad request gets its 4xx as application/problem+json, and writes nothing. */
@QuarkusTest
class ProblemJsonTest {
    private static final String GOOD = "{\"name\":\"%s\",\"color\":\"RED\",\"priority\":2}";
    private long widgetsBefore;
    private long outboxBefore;

    @BeforeEach
    void countRows() {
        widgetsBefore = QuarkusTransaction.requiringNew().call(() -> Widget.count());
        outboxBefore = QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count());
    }

    @AfterEach
    void nothingHalfWritten() {
        // the 409 test writes one widget on purpose (the first, valid, request)
        long widgetsNow = QuarkusTransaction.requiringNew().call(() -> Widget.count());
        long outboxNow = QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count());
        assertEquals(widgetsNow - widgetsBefore, outboxNow - outboxBefore,
                "every widget has exactly its one event, and no bad request left either behind");
    }

    private static ValidatableResponse post(String token, String contentType, String body) {
        var spec = given().contentType(contentType).body(body);
        if (token != null) {
            spec = spec.auth().oauth2(token);
        }
        return spec.when().post("/widgets").then().contentType(startsWith(Problem.MEDIA_TYPE)).log().ifValidationFails();
    }

    private void assertNothingWritten() {
        assertEquals(widgetsBefore, (long) QuarkusTransaction.requiringNew().call(() -> Widget.count()));
        assertEquals(outboxBefore, (long) QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count()));
    }

    @Test
    void malformedJsonIs400() {
        post(TestTokens.token("admin"), "application/json", "{\"name\": \"x\", ")
                .statusCode(400)
                .body("status", equalTo(400))
                .body("type", equalTo("urn:problem-type:callstream:malformed-body"))
                .body("detail", containsString("not valid JSON"));
        assertNothingWritten();
    }

    @Test
    void unknownEnumValueNamesTheFieldAndTheAllowedValues() {
        post(TestTokens.token("admin"), "application/json", "{\"name\":\"a\",\"color\":\"PURPLE\",\"priority\":2}")
                .statusCode(400)
                .body("errors.field", hasItem("color"))
                .body("detail", allOf(containsString("PURPLE"), containsString("RED, GREEN, BLUE")));
        assertNothingWritten();
    }

    @Test
    void missingRequiredFieldsAreEachNamed() {
        post(TestTokens.token("admin"), "application/json", "{\"color\":\"RED\",\"priority\":9}")
                .statusCode(400)
                .body("errors.field", hasItem("name"))
                .body("errors.field", hasItem("priority"));
        assertNothingWritten();
    }

    @Test
    void unknownFieldIsRefused() {
        post(TestTokens.token("admin"), "application/json", "{\"name\":\"b\",\"color\":\"RED\",\"priority\":2,\"colour\":1}")
                .statusCode(400)
                .body("errors.field", hasItem("colour"));
        assertNothingWritten();
    }

    @Test
    void wrongTypeNamesTheField() {
        post(TestTokens.token("admin"), "application/json", "{\"name\":\"c\",\"color\":\"RED\",\"priority\":\"high\"}")
                .statusCode(400)
                .body("errors.field", hasItem("priority"));
        assertNothingWritten();
    }

    @Test
    void oversizedBodyIs413() {
        String big = GOOD.formatted("x".repeat(4000));
        post(TestTokens.token("admin"), "application/json", big)
                .statusCode(413)
                .body("status", equalTo(413));
        assertNothingWritten();
    }

    @Test
    void wrongContentTypeIs415() {
        post(TestTokens.token("admin"), "text/plain", GOOD.formatted("d"))
                .statusCode(415)
                .body("detail", containsString("text/plain"));
        assertNothingWritten();
    }

    @Test
    void missingTokenIs401() {
        post(null, "application/json", GOOD.formatted("e"))
                .statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401));
        assertNothingWritten();
    }

    @Test
    void expiredTokenIs401() {
        post(TestTokens.expired("admin"), "application/json", GOOD.formatted("f")).statusCode(401);
        assertNothingWritten();
    }

    @Test
    void tokenSignedByAnUntrustedKeyIs401() {
        post(TestTokens.untrusted("admin"), "application/json", GOOD.formatted("g")).statusCode(401);
        assertNothingWritten();
    }

    @Test
    void wrongRoleIs403() {
        post(TestTokens.token("agent"), "application/json", GOOD.formatted("h"))
                .statusCode(403)
                .body("status", equalTo(403));
        assertNothingWritten();
    }

    @Test
    void unknownResourceIs404() {
        given().auth().oauth2(TestTokens.token("qa")).when().get("/widgets/" + UUID.randomUUID())
                .then().statusCode(404).contentType(startsWith(Problem.MEDIA_TYPE))
                .body("detail", startsWith("no widget"));
        given().auth().oauth2(TestTokens.token("qa")).when().get("/no-such-thing")
                .then().statusCode(404).contentType(startsWith(Problem.MEDIA_TYPE));
    }

    @Test
    void duplicateIs409AndTheFirstWriteStands() {
        String name = "dup-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.token("integration")).contentType("application/json")
                .body(GOOD.formatted(name)).when().post("/widgets").then().statusCode(201);
        post(TestTokens.token("integration"), "application/json", GOOD.formatted(name))
                .statusCode(409)
                .body("errors.field", hasItem("name"));
        assertEquals(widgetsBefore + 1, (long) QuarkusTransaction.requiringNew().call(() -> Widget.count()));
    }

    @Test
    void unexpectedFailureIs500WithoutInternals() {
        given().auth().oauth2(TestTokens.token("admin")).when().get("/widgets/boom")
                .then().statusCode(500).contentType(startsWith(Problem.MEDIA_TYPE))
                .body(not(containsString("IllegalStateException")))
                .body(not(containsString("secret internal detail")))
                .body("detail", containsString("reference"));
    }
}
