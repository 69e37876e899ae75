package io.callstream.agent.feed;

import io.callstream.contracts.Topics;
import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.testkit.KafkaEvents;
import io.callstream.testkit.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's live feed over real HTTP (server-sent events), fed from real Kafka. */
@QuarkusTest
class AgentFeedTest {
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;
    @Inject
    AgentFeed feed;
    @TestHTTPResource("/")
    URL base;

    /** One server-sent event: its name and data. */
    record Sse(String name, String data) {
    }

    String newAgent() {
        UUID id = UUID.randomUUID();
        String n = id.toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("INSERT INTO agent (id, staff_number, name, email, extension, role)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5, 'AGENT')")
                    .setParameter(1, id).setParameter(2, "F-" + n).setParameter(3, "Feed " + n)
                    .setParameter(4, "feed-" + n + "@example.com")
                    .setParameter(5, String.valueOf(100000 + (int) (Math.random() * 899999))).executeUpdate();
            em.createNativeQuery("INSERT INTO agent_state (agent_id, state, since) VALUES (?1, 'OFFLINE', now())")
                    .setParameter(1, id).executeUpdate();
        });
        return id.toString();
    }

    /** Opens the feed and reads its events into a queue on a thread of its own. */
    BlockingQueue<Sse> open(String agentId, String token) throws Exception {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(base.toString().replaceAll("/$", "") + "/api/v1/agents/" + agentId + "/feed"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        BlockingQueue<Sse> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String name = null;
                StringBuilder data = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    } else if (line.isEmpty() && name != null) {
                        events.add(new Sse(name, data.toString()));
                        name = null;
                        data.setLength(0);
                    }
                }
            } catch (Exception closed) {
                // the test is over
            }
        }, "feed-reader");
        reader.setDaemon(true);
        reader.start();
        return events;
    }

    static Sse next(BlockingQueue<Sse> events, String name) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(until)) {
            Sse e = events.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && e.name().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no '" + name + "' event within 20 s");
    }

    @Test
    void theAgentSeesItsStateAndTheScreenPopOfAnOfferedCall() throws Exception {
        String agent = newAgent();
        String token = TestTokens.token("agent", agent);
        await().until(feed::reading);
        BlockingQueue<Sse> events = open(agent, token);
        Sse snapshot = next(events, "snapshot");
        assertTrue(snapshot.data().contains("\"state\":\"OFFLINE\""), snapshot.data());

        given().auth().oauth2(token).contentType("application/json").body("{\"state\":\"READY\"}")
                .when().post("/api/v1/agents/" + agent + "/state").then().statusCode(200);
        Sse ready = next(events, "state");
        assertTrue(ready.data().contains("\"state\":\"READY\""), ready.data());

        String call = "call-" + UUID.randomUUID();
        kafka.send(Topics.ROUTING_EVENTS, AgentOffered.TYPE, call, new AgentOffered(call, "pre-sales", agent,
                "13900001111", "4001", 42_000, Map.of("orderid", "A-17", "type", "vip"),
                List.of(new KeyPress("orderNo", "Order number", "4711#", Instant.parse("2026-11-24T09:15:09Z")))));
        Sse pop = next(events, "screen-pop");
        for (String expected : List.of("\"callId\":\"" + call + "\"", "\"callerNumber\":\"13900001111\"",
                "\"calledNumber\":\"4001\"", "\"skillGroup\":\"pre-sales\"", "\"waitMillis\":42000",
                "\"orderid\":\"A-17\"", "\"label\":\"Order number\"", "\"keys\":\"4711#\"")) {
            assertTrue(pop.data().contains(expected), expected + " in " + pop.data());
        }
        Sse ringing = next(events, "state");
        assertTrue(ringing.data().contains("\"state\":\"RINGING\""), ringing.data());
    }

    @Test
    void anAgentCannotListenToAnotherAgentsFeed() {
        String agent = newAgent();
        String other = newAgent();
        given().auth().oauth2(TestTokens.token("agent", other)).when().get("/api/v1/agents/" + agent + "/feed")
                .then().statusCode(403);
        given().when().get("/api/v1/agents/" + agent + "/feed").then().statusCode(401);
        given().auth().oauth2(TestTokens.token("qa", "quinn")).when().get("/api/v1/agents/" + agent + "/feed")
                .then().statusCode(403);
    }
}
