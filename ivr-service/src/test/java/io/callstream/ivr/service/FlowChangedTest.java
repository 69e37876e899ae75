package io.callstream.ivr.service;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.ivr.FlowChanged;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What other services learn of flows on {@code callstream.ivr.events}: each change, and every flow at start. */
@QuarkusTest
class FlowChangedTest {
    private static final String ADMIN = TestTokens.token("admin", "alice");

    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    FlowAnnouncements announcements;

    @Test
    void publishRollbackRenameAndDeleteEachTellTheFlowAsItIsNow() {
        String name = "Renewal " + UUID.randomUUID();
        String doc = renewal(name);
        String id = create(doc);

        as(ADMIN).post("/api/v1/flows/" + id + "/versions").then().statusCode(201);
        FlowChanged published = awaitChanges(id, 1).get(0);
        assertEquals(new FlowChanged(id, name, "OUTBOUND", 1, false, published.changedAt()), published);

        // editing the draft changes nothing others see; publishing it does
        as(ADMIN).body(doc.replace("Please press 1 or 2.", "Press 1 or 2, please.")).put("/api/v1/flows/" + id)
                .then().statusCode(200);
        as(ADMIN).post("/api/v1/flows/" + id + "/versions").then().statusCode(201);
        assertEquals(2, awaitChanges(id, 2).get(1).activeVersion());

        as(ADMIN).body("{\"version\": 1}").post("/api/v1/flows/" + id + "/rollback").then().statusCode(200);
        assertEquals(1, awaitChanges(id, 3).get(2).activeVersion());

        String renamed = name + " renamed";
        as(ADMIN).body(doc.replace(name, renamed)).put("/api/v1/flows/" + id).then().statusCode(200);
        FlowChanged rename = awaitChanges(id, 4).get(3);
        assertEquals(new FlowChanged(id, renamed, "OUTBOUND", 1, false, rename.changedAt()), rename);

        as(ADMIN).delete("/api/v1/flows/" + id).then().statusCode(204);
        FlowChanged deleted = awaitChanges(id, 5).get(4);
        assertTrue(deleted.deleted());
        assertEquals(renamed, deleted.name());

        records(id).forEach(r -> assertEquals(id, KafkaEvents.header(r, CloudEventsKafka.SUBJECT)));
    }

    @Test
    void atStartEveryFlowThatExistsIsAnnouncedOnce() {
        String unpublished = create(renewal("Renewal " + UUID.randomUUID()));
        String published = create(renewal("Renewal " + UUID.randomUUID()));
        as(ADMIN).post("/api/v1/flows/" + published + "/versions").then().statusCode(201);
        String gone = create(renewal("Renewal " + UUID.randomUUID()));
        as(ADMIN).post("/api/v1/flows/" + gone + "/versions").then().statusCode(201);
        as(ADMIN).delete("/api/v1/flows/" + gone).then().statusCode(204);
        awaitChanges(gone, 2);
        // more flows than one page of the announcement
        for (long n = total(); n <= 100; n++) {
            create(renewal("Renewal " + UUID.randomUUID()));
        }
        Set<String> flows = allFlowIds();

        Instant before = Instant.now();
        assertEquals(flows.size(), announcements.announceAll());

        Map<String, FlowChanged> announced = await().atMost(Duration.ofSeconds(30)).until(() -> announcedSince(before),
                m -> m.keySet().equals(flows));
        assertEquals(new FlowChanged(unpublished, announced.get(unpublished).name(), "OUTBOUND", null, false,
                announced.get(unpublished).changedAt()), announced.get(unpublished));
        assertEquals(1, announced.get(published).activeVersion());
        assertFalse(announced.containsKey(gone), "a deleted flow has nothing to announce");
        assertEquals(2, records(gone).size(), "the deleted flow's publish and delete only");
    }

    /** Every flow announced since {@code since}, each exactly once (a second one would fail the map). */
    private Map<String, FlowChanged> announcedSince(Instant since) {
        return kafka.readToEndCached(Topics.IVR_EVENTS).stream()
                .filter(r -> FlowChanged.TYPE.equals(KafkaEvents.header(r, CloudEventsKafka.TYPE)))
                .map(FlowChangedTest::read).filter(c -> !c.changedAt().isBefore(since))
                .collect(Collectors.toMap(FlowChanged::flowId, Function.identity()));
    }

    private List<FlowChanged> awaitChanges(String flowId, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> records(flowId), hasSize(count));
        return records(flowId).stream().map(FlowChangedTest::read).toList();
    }

    private List<ConsumerRecord<String, byte[]>> records(String flowId) {
        return kafka.readToEndCached(Topics.IVR_EVENTS).stream()
                .filter(r -> flowId.equals(r.key()) && FlowChanged.TYPE.equals(KafkaEvents.header(r, CloudEventsKafka.TYPE)))
                .toList();
    }

    private static FlowChanged read(ConsumerRecord<String, byte[]> r) {
        return Json.read(r.value(), FlowChanged.class);
    }

    private static String create(String doc) {
        return as(ADMIN).body(doc).post("/api/v1/flows").then().statusCode(201).extract().path("id");
    }

    private static long total() {
        return ((Number) as(ADMIN).get("/api/v1/flows").then().statusCode(200).extract().path("total")).longValue();
    }

    private static Set<String> allFlowIds() {
        Set<String> ids = new HashSet<>();
        for (int page = 0; ; page++) {
            List<String> items = as(ADMIN).queryParam("size", 200).queryParam("page", page).get("/api/v1/flows")
                    .then().statusCode(200).extract().path("items.id");
            ids.addAll(items);
            if (items.size() < 200) {
                return ids;
            }
        }
    }

    private static String renewal(String name) {
        try (InputStream in = FlowChangedTest.class.getResourceAsStream("/flows/outbound-renewal-reminder.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\"Renewal reminder\"", "\"" + name + "\"");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }
}
