package io.callstream.testkit;

import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * What every Callstream service serves from the day it exists, checked against the running service
 * with its real database and broker. A service's test extends this and adds {@code @QuarkusTest}.
 */
public abstract class ServiceFoundationContract {

    /** The service's name as it runs ({@code quarkus.application.name}). */
    protected abstract String serviceName();

    @Test
    void readinessCoversTheDatabaseAndKafkaAndIsUp() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")))
                .body("checks.name", hasItem(containsString("Kafka")));
    }

    @Test
    void livenessIsUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void prometheusMetricsIncludeTheOutboxAndTheDatabasePool() {
        given().when().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("callstream_outbox_sent_total"))
                .body(containsString("agroal_"))
                .body(containsString("http_server_"));
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        given().accept("application/json").when().get("/q/openapi").then()
                .statusCode(200)
                .body("openapi", startsWith("3."))
                .body("components.securitySchemes.SecurityScheme.scheme", equalTo("bearer"));
        given().when().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    @Test
    void errorsAreProblemJson() {
        given().auth().oauth2(TestTokens.token("admin")).when().get("/no-such-resource").then()
                .statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(404));
    }

    @Test
    void aValidTokenIdentifiesTheCallerAndNoTokenIsRefused() {
        given().auth().oauth2(TestTokens.token("agent", "agent-1001")).when().get("/api/v1/me").then()
                .statusCode(200)
                .body("subject", equalTo("agent-1001"))
                .body("roles", hasItem("agent"));
        given().when().get("/api/v1/me").then()
                .statusCode(401)
                .contentType(startsWith("application/problem+json"));
        given().auth().oauth2(TestTokens.expired("agent")).when().get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void eventsAreStampedWithTheServiceAsSource() {
        given().when().get("/q/health/started").then().statusCode(200);
        org.junit.jupiter.api.Assertions.assertEquals("/callstream/" + serviceName(),
                org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("callstream.events.source", String.class));
    }
}
