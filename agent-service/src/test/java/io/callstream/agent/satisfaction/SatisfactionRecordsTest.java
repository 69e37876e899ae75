package io.callstream.agent.satisfaction;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Satisfaction records against real Kafka and PostgreSQL: the IVR's survey results published as real
 * CloudEvents on {@code callstream.ivr.events}, read back over REST as records (joined with their agent)
 * and as summaries per agent and per skill group, with each role's view of them.
 */
@QuarkusTest
class SatisfactionRecordsTest {
    private static final String ADMIN = TestTokens.token("admin", "alice");
    private static final String QA = TestTokens.token("qa", "quinn");
    private static final String CRM = TestTokens.token("integration", "crm");
    private static final String RECORDS = "/api/v1/satisfaction-records";
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;

    /** An agent written straight into the database; the agents API is tested elsewhere. */
    record TestAgent(String id, String staffNumber, String name, String token) {
    }

    TestAgent newAgent() {
        UUID id = UUID.randomUUID();
        String n = id.toString().substring(0, 8);
        String extension = String.valueOf(100000 + (int) (Math.random() * 899999));
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO agent (id, staff_number, name, email, extension, role) VALUES (?1, ?2, ?3, ?4, ?5, 'AGENT')")
                .setParameter(1, id).setParameter(2, "S-" + n).setParameter(3, "Agent " + n)
                .setParameter(4, n + "@example.com").setParameter(5, extension).executeUpdate());
        return new TestAgent(id.toString(), "S-" + n, "Agent " + n, TestTokens.token("agent", id.toString()));
    }

    static String newGroup() {
        return "g-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String newCall() {
        return "call-" + UUID.randomUUID();
    }

    /** A time of its own for each test's records, to the millisecond (what PostgreSQL keeps exactly). */
    static Instant newBase() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(1 + (long) (Math.random() * 3000)));
    }

    /** The IVR's survey result for a call, as it publishes it (keyed by the call); returns the event id. */
    String publish(String eventId, String callId, String agentId, String group, String key, String label, Instant at) {
        SatisfactionCollected data = new SatisfactionCollected(callId, "session-" + callId, key, label, agentId, group,
                key == null);
        return kafka.send(Topics.IVR_EVENTS, new EventEnvelope(eventId, SatisfactionCollected.TYPE,
                "/callstream/ivr-service", at, callId, Json.write(data)));
    }

    /** A call whose caller answered the survey with {@code key} ({@code label}); returns the call id. */
    String answered(String agentId, String group, String key, String label, Instant at) {
        String call = newCall();
        publish(UUID.randomUUID().toString(), call, agentId, group, key, label, at);
        return call;
    }

    /** A call whose caller left the survey without a key; returns the call id. */
    String noInput(String agentId, String group, Instant at) {
        return answered(agentId, group, null, null, at);
    }

    static ValidatableResponse record(String callId, String token) {
        return given().auth().oauth2(token).when().get(RECORDS + "/" + callId).then();
    }

    static ValidatableResponse awaitRecord(String callId) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> record(callId, ADMIN).statusCode(200));
        return record(callId, ADMIN).statusCode(200);
    }

    static ValidatableResponse search(String token, Map<String, ?> params) {
        return given().auth().oauth2(token).queryParams(params).when().get(RECORDS).then();
    }

    static ValidatableResponse summary(String token, Map<String, ?> params) {
        return given().auth().oauth2(token).queryParams(params).when().get(RECORDS + "/summary").then();
    }

    /** Waits until the agent has {@code n} records: every event published for it has been taken. */
    static void awaitRecords(String agentId, int n) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                search(ADMIN, Map.of("agentId", agentId)).statusCode(200).body("total", equalTo(n)));
    }

    /**
     * A call id that lands on the same partition as {@code callId}: the consumer takes its events after
     * those of {@code callId} sent before, so once its record is there, they have been taken too.
     */
    String callOnSamePartition(String callId) {
        int partitions = kafka.companion().topics().describe(Topics.IVR_EVENTS).get(Topics.IVR_EVENTS).partitions().size();
        while (true) {
            String other = newCall();
            if (partition(other, partitions) == partition(callId, partitions)) {
                return other;
            }
        }
    }

    /** The producer's default partitioner for a keyed record. */
    static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Test
    void anAnsweredSurveyBecomesTheCallsRecordWithItsAgentsStaffNumberAndName() {
        TestAgent a = newAgent();
        String group = newGroup();
        Instant at = newBase();
        String call = answered(a.id(), group, "1", "satisfied", at);

        awaitRecord(call).body("callId", equalTo(call)).body("sessionId", equalTo("session-" + call))
                .body("agentId", equalTo(a.id())).body("staffNumber", equalTo(a.staffNumber()))
                .body("name", equalTo(a.name())).body("skillGroup", equalTo(group)).body("key", equalTo("1"))
                .body("label", equalTo("satisfied")).body("noInput", equalTo(false))
                .body("collectedAt", equalTo(at.toString()));
        search(QA, Map.of("agentId", a.id())).statusCode(200).body("total", equalTo(1))
                .body("items[0].callId", equalTo(call)).body("items[0].staffNumber", equalTo(a.staffNumber()))
                .body("items[0].name", equalTo(a.name())).body("items[0].collectedAt", equalTo(at.toString()));
    }

    @Test
    void aCallerWhoLeftWithoutAKeyIsRecordedAsNoInput() {
        TestAgent a = newAgent();
        String call = noInput(a.id(), newGroup(), newBase());

        awaitRecord(call).body("noInput", equalTo(true)).body("$", hasKey("key")).body("key", nullValue())
                .body("label", nullValue()).body("agentId", equalTo(a.id())).body("staffNumber", equalTo(a.staffNumber()));
    }

    @Test
    void aRecordForAnAgentUnknownHereIsKeptWithoutStaffNumberOrName() {
        String deleted = UUID.randomUUID().toString();
        String callForDeleted = answered(deleted, newGroup(), "1", "satisfied", newBase());
        String notAnId = "not-an-agent-id-" + UUID.randomUUID();
        String callForOther = answered(notAnId, newGroup(), "0", "dissatisfied", newBase());

        awaitRecord(callForDeleted).body("agentId", equalTo(deleted)).body("staffNumber", nullValue()).body("name", nullValue());
        awaitRecord(callForOther).body("agentId", equalTo(notAnId)).body("staffNumber", nullValue())
                .body("label", equalTo("dissatisfied"));
        summary(ADMIN, Map.of("agentId", notAnId)).statusCode(200).body("agentId", contains(notAnId))
                .body("[0].count", equalTo(1)).body("[0].staffNumber", nullValue()).body("[0].name", nullValue());
    }

    @Test
    void aRedeliveredEventIsStoredOnce() {
        TestAgent a = newAgent();
        String group = newGroup();
        Instant at = newBase();
        String call = newCall();
        String eventId = UUID.randomUUID().toString();
        publish(eventId, call, a.id(), group, "1", "satisfied", at);
        publish(eventId, call, a.id(), group, "1", "satisfied", at); // the same event again, as after a crash
        String marker = callOnSamePartition(call);
        publish(UUID.randomUUID().toString(), marker, a.id(), group, "0", "dissatisfied", at.plusSeconds(1));

        awaitRecord(marker);
        search(ADMIN, Map.of("agentId", a.id())).statusCode(200).body("total", equalTo(2))
                .body("items.callId", contains(marker, call));
        summary(ADMIN, Map.of("agentId", a.id())).statusCode(200).body("[0].count", equalTo(2))
                .body("[0].satisfied", equalTo(1));
    }

    @Test
    void aSecondResultForTheSameCallKeepsTheFirst() {
        TestAgent a = newAgent();
        String group = newGroup();
        Instant first = newBase();
        String call = answered(a.id(), group, "1", "satisfied", first);
        String second = publish(UUID.randomUUID().toString(), call, a.id(), group, "0", "dissatisfied", first.plusSeconds(30));
        String marker = callOnSamePartition(call);
        publish(UUID.randomUUID().toString(), marker, a.id(), group, "1", "satisfied", first.plusSeconds(60));

        awaitRecord(marker);
        record(call, ADMIN).statusCode(200).body("key", equalTo("1")).body("label", equalTo("satisfied"))
                .body("collectedAt", equalTo(first.toString()));
        search(ADMIN, Map.of("agentId", a.id())).statusCode(200).body("total", equalTo(2));
        assertEquals(List.of(), kafka.recordsWithEventId(Topics.deadLetter("agent-service"), second),
                "the later result is dropped, not parked as a failure");
    }

    @Test
    void otherIvrEventsMakeNoRecord() {
        String other = newCall();
        // a session event whose data would even read as a survey result: it is not one
        kafka.send(Topics.IVR_EVENTS, new EventEnvelope(UUID.randomUUID().toString(), "io.callstream.ivr.session-started",
                "/callstream/ivr-service", Instant.now(), other, Json.write(Map.of("callId", other, "sessionId", "s-1",
                "flowId", UUID.randomUUID().toString(), "flowVersion", 1))));
        String marker = callOnSamePartition(other);
        publish(UUID.randomUUID().toString(), marker, null, null, "1", "satisfied", newBase());

        awaitRecord(marker).body("agentId", nullValue()).body("skillGroup", nullValue());
        record(other, ADMIN).statusCode(404).contentType("application/problem+json");
    }

    @Test
    void anEventWithoutATimeIsStampedWhenTaken() {
        String call = newCall();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        EventEnvelope e = new EventEnvelope(UUID.randomUUID().toString(), SatisfactionCollected.TYPE,
                "/callstream/ivr-service", Instant.now(), call,
                Json.write(new SatisfactionCollected(call, "s-1", "1", "satisfied", null, null, false)));
        Headers headers = CloudEventsKafka.headers(e);
        headers.remove(CloudEventsKafka.TIME); // ce_time is optional in CloudEvents
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.companion().getBootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.IVR_EVENTS, null, call, e.data(), headers));
        }

        Instant collected = Instant.parse(awaitRecord(call).extract().path("collectedAt"));
        assertFalse(collected.isBefore(before), collected + " is the time it was taken, not before " + before);
        assertTrue(collected.isBefore(Instant.now().plusSeconds(1)));
    }

    @Test
    void searchFiltersByAgentSkillGroupAndTimeRangeNewestFirst() {
        TestAgent a = newAgent();
        TestAgent b = newAgent();
        String sales = newGroup();
        String support = newGroup();
        Instant t = newBase();
        String aSales = answered(a.id(), sales, "1", "satisfied", t);
        String aSupport = noInput(a.id(), support, t.plusSeconds(60));
        String bSales = answered(b.id(), sales, "0", "dissatisfied", t.plusSeconds(120));
        awaitRecords(a.id(), 2);
        awaitRecords(b.id(), 1);

        search(ADMIN, Map.of("agentId", a.id())).statusCode(200).body("total", equalTo(2))
                .body("items.callId", contains(aSupport, aSales));
        search(QA, Map.of("skillGroup", sales)).statusCode(200).body("total", equalTo(2))
                .body("items.callId", contains(bSales, aSales))
                .body("items.staffNumber", contains(b.staffNumber(), a.staffNumber()));
        search(ADMIN, Map.of("agentId", a.id(), "skillGroup", sales)).statusCode(200)
                .body("items.callId", contains(aSales));
        // [from, to): from is in, to is out
        search(ADMIN, Map.of("skillGroup", sales, "from", t.toString(), "to", t.plusSeconds(120).toString()))
                .statusCode(200).body("items.callId", contains(aSales));
        search(ADMIN, Map.of("skillGroup", sales, "from", t.plusSeconds(1).toString()))
                .statusCode(200).body("items.callId", contains(bSales));
        search(CRM, Map.of("agentId", a.id(), "to", t.plusSeconds(60).toString()))
                .statusCode(200).body("total", equalTo(1)).body("items.callId", contains(aSales));
    }

    @Test
    void searchIsPagedNewestFirst() {
        TestAgent a = newAgent();
        String group = newGroup();
        Instant t = newBase();
        String[] calls = new String[5];
        for (int i = 0; i < 5; i++) {
            calls[i] = answered(a.id(), group, "1", "satisfied", t.plusSeconds(i));
        }
        awaitRecords(a.id(), 5);

        search(ADMIN, Map.of("agentId", a.id(), "size", 2)).statusCode(200).body("total", equalTo(5))
                .body("page", equalTo(0)).body("size", equalTo(2)).body("items.callId", contains(calls[4], calls[3]));
        search(ADMIN, Map.of("agentId", a.id(), "size", 2, "page", 1)).statusCode(200)
                .body("items.callId", contains(calls[2], calls[1]));
        search(ADMIN, Map.of("agentId", a.id(), "size", 2, "page", 2)).statusCode(200).body("total", equalTo(5))
                .body("items.callId", contains(calls[0]));
        search(ADMIN, Map.of("agentId", a.id(), "size", 2, "page", 3)).statusCode(200).body("total", equalTo(5))
                .body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void summariesPerAgentAndPerSkillGroupCountAnsweredNoInputAndSatisfied() {
        TestAgent a = newAgent();
        TestAgent b = newAgent();
        String group = "g-" + UUID.randomUUID().toString().substring(0, 8);
        String laterGroup = group + "-z"; // sorts after group
        Instant t = newBase();
        answered(a.id(), group, "1", "satisfied", t);
        answered(a.id(), group, "2", "Very Satisfied", t.plusSeconds(1)); // labels count as satisfied whatever their case
        answered(a.id(), group, "1", "satisfied", t.plusSeconds(2));
        answered(a.id(), group, "0", "dissatisfied", t.plusSeconds(3));
        noInput(a.id(), group, t.plusSeconds(4));
        noInput(b.id(), group, t.plusSeconds(5));
        answered(a.id(), laterGroup, "1", "satisfied", t.plusSeconds(6));
        awaitRecords(a.id(), 6);
        awaitRecords(b.id(), 1);

        ValidatableResponse perAgent = summary(QA, Map.of("by", "agent", "skillGroup", group)).statusCode(200)
                .body("size()", equalTo(2));
        String lineA = "find { it.agentId == '" + a.id() + "' }.";
        perAgent.body(lineA + "staffNumber", equalTo(a.staffNumber())).body(lineA + "name", equalTo(a.name()))
                .body(lineA + "count", equalTo(5)).body(lineA + "answered", equalTo(4))
                .body(lineA + "noInput", equalTo(1)).body(lineA + "satisfied", equalTo(3))
                .body(lineA + "satisfiedPercent", equalTo(75.0f))
                .body(lineA + "byLabel", aMapWithSize(3)).body(lineA + "byLabel.satisfied", equalTo(2))
                .body(lineA + "byLabel.'Very Satisfied'", equalTo(1)).body(lineA + "byLabel.dissatisfied", equalTo(1));
        String lineB = "find { it.agentId == '" + b.id() + "' }.";
        perAgent.body(lineB + "count", equalTo(1)).body(lineB + "answered", equalTo(0)).body(lineB + "noInput", equalTo(1))
                .body(lineB + "satisfied", equalTo(0)).body(lineB + "satisfiedPercent", nullValue())
                .body(lineB + "byLabel", aMapWithSize(0));

        summary(ADMIN, Map.of("by", "skillGroup", "skillGroup", group)).statusCode(200)
                .body("skillGroup", contains(group)).body("[0].agentId", nullValue())
                .body("[0].count", equalTo(6)).body("[0].answered", equalTo(4)).body("[0].noInput", equalTo(2))
                .body("[0].satisfied", equalTo(3)).body("[0].satisfiedPercent", equalTo(75.0f));

        // all of the agent's groups; the default grouping is by agent
        summary(ADMIN, Map.of("agentId", a.id())).statusCode(200).body("agentId", contains(a.id()))
                .body("[0].count", equalTo(6)).body("[0].answered", equalTo(5)).body("[0].satisfied", equalTo(4))
                .body("[0].satisfiedPercent", equalTo(80.0f)).body("[0].byLabel.satisfied", equalTo(3));
        summary(CRM, Map.of("by", "skillGroup", "agentId", a.id())).statusCode(200)
                .body("skillGroup", contains(group, laterGroup)).body("count", contains(5, 1));

        // [from, to): the second to the fourth record; 2 of 3 is 66.7 %
        summary(ADMIN, Map.of("agentId", a.id(), "from", t.plusSeconds(1).toString(), "to", t.plusSeconds(4).toString()))
                .statusCode(200).body("[0].count", equalTo(3)).body("[0].answered", equalTo(3))
                .body("[0].noInput", equalTo(0)).body("[0].satisfied", equalTo(2))
                .body("[0].satisfiedPercent", equalTo(66.7f));
    }

    @Test
    void anAgentReadsOnlyItsOwnRecords() {
        TestAgent a = newAgent();
        TestAgent b = newAgent();
        String group = newGroup();
        Instant t = newBase();
        String a1 = answered(a.id(), group, "1", "satisfied", t);
        String a2 = noInput(a.id(), group, t.plusSeconds(1));
        String b1 = answered(b.id(), group, "0", "dissatisfied", t.plusSeconds(2));
        awaitRecords(a.id(), 2);
        awaitRecords(b.id(), 1);

        // asked for nothing in particular: its own records only
        search(a.token(), Map.of()).statusCode(200).body("total", equalTo(2)).body("items.callId", contains(a2, a1));
        search(a.token(), Map.of("skillGroup", group)).statusCode(200).body("total", equalTo(2))
                .body("items.agentId", everyItem(equalTo(a.id())));
        search(a.token(), Map.of("agentId", a.staffNumber())).statusCode(200).body("total", equalTo(2));
        search(TestTokens.token("agent", a.staffNumber()), Map.of()).statusCode(200).body("total", equalTo(2));
        record(a1, a.token()).statusCode(200).body("label", equalTo("satisfied"));
        summary(a.token(), Map.of()).statusCode(200).body("agentId", contains(a.id())).body("[0].count", equalTo(2));

        // asked by name for another agent's: refused
        search(a.token(), Map.of("agentId", b.id())).statusCode(403).contentType("application/problem+json")
                .body("errors[0].field", equalTo("agentId"));
        // another agent's record by call id: not found, the very answer a call without a record gets
        String unknown = "call-" + UUID.randomUUID();
        record(b1, a.token()).statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no satisfaction record for call " + b1));
        record(unknown, a.token()).statusCode(404).body("detail", equalTo("no satisfaction record for call " + unknown));
        record(b1, TestTokens.token("agent", "nobody-" + UUID.randomUUID())).statusCode(403);
        summary(a.token(), Map.of("agentId", b.id())).statusCode(403).body("errors[0].field", equalTo("agentId"));
        summary(a.token(), Map.of("by", "skillGroup")).statusCode(403).body("errors[0].field", equalTo("by"));
        search(TestTokens.token("agent", "nobody-" + UUID.randomUUID()), Map.of()).statusCode(403);

        // the others read everyone's
        record(b1, QA).statusCode(200).body("staffNumber", equalTo(b.staffNumber()));
        search(CRM, Map.of("skillGroup", group)).statusCode(200).body("total", equalTo(3));
    }

    @Test
    void badParametersAreProblemsNamingTheParameter() {
        search(ADMIN, Map.of("from", "yesterday")).statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("from"));
        search(ADMIN, Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-01T00:00:00Z")).statusCode(400)
                .body("errors[0].field", equalTo("to"));
        search(ADMIN, Map.of("to", "2026-13-01")).statusCode(400).body("errors[0].field", equalTo("to"));
        search(ADMIN, Map.of("page", "-1")).statusCode(400).body("errors[0].field", equalTo("page"));
        search(ADMIN, Map.of("page", "first")).statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("page"));
        search(ADMIN, Map.of("size", "500")).statusCode(400).body("errors[0].field", equalTo("size"));
        summary(ADMIN, Map.of("by", "team")).statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("by"));
        summary(ADMIN, Map.of("from", "last week")).statusCode(400).body("errors[0].field", equalTo("from"));
        record("no-such-call-" + UUID.randomUUID(), ADMIN).statusCode(404).contentType("application/problem+json");
        given().when().get(RECORDS).then().statusCode(401).contentType("application/problem+json");
        assertEquals(200, search(ADMIN, Map.of("size", "200")).extract().statusCode());
    }

    @Test
    void theApiIsDescribedInOpenApi() {
        given().accept("application/json").when().get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey(RECORDS)).body("paths", hasKey(RECORDS + "/{callId}"))
                .body("paths", hasKey(RECORDS + "/summary"))
                .body("paths.'" + RECORDS + "'.get.tags", contains("Satisfaction records"))
                .body("paths.'" + RECORDS + "/summary'.get.parameters.name", hasItem("by"));
    }
}
