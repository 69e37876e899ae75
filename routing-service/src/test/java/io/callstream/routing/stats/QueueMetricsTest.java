package io.callstream.routing.stats;

import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.routing.PeerServices;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue statistics on /q/metrics, per skill group, against real Kafka and PostgreSQL. */
@QuarkusTest
class QueueMetricsTest {
    @Inject
    EntityManager em;

    @Test
    void eachGroupsQueueAgentsAndTodaysCountsAreGauges() {
        PeerServices peers = new PeerServices(em);
        String g = PeerServices.id("metrics");
        String a = PeerServices.id("a"), b = PeerServices.id("a");
        peers.group(g, 1);
        peers.agent(a, "2601", new SkillAssignment(g, 1));
        peers.agent(b, "2602", new SkillAssignment(g, 2));
        peers.state(b, AgentState.NOT_READY, Instant.now());
        peers.state(a, AgentState.READY, Instant.now());
        // one answered, one abandoned, one refused (queue full), one waiting
        String answered = PeerServices.id("call"), abandoned = PeerServices.id("call"), waiting = PeerServices.id("call"),
                refused = PeerServices.id("call");
        peers.transfer(answered, g, 0, 300, null);
        ConnectAgent c = peers.await(Topics.CALL_COMMANDS, answered, ConnectAgent.TYPE, ConnectAgent.class);
        peers.kafka().send(Topics.CALL_EVENTS, AgentConnected.TYPE, answered, new AgentConnected(answered, c.commandId(), a,
                c.endpoint(), c.endpoint() + "-1"));
        peers.await(Topics.ROUTING_EVENTS, answered, CallConnected.TYPE, CallConnected.class);
        peers.transfer(abandoned, g, 0, 300, null);
        peers.await(Topics.ROUTING_EVENTS, abandoned, CallQueued.TYPE, CallQueued.class);
        peers.kafka().send(Topics.CALL_EVENTS, CallEnded.TYPE, abandoned, new CallEnded(abandoned, 16, "Normal Clearing",
                HangupParty.CALLER));
        peers.await(Topics.ROUTING_EVENTS, abandoned, QueueExited.TYPE, QueueExited.class);
        peers.transfer(waiting, g, 0, 300, 1);
        peers.await(Topics.ROUTING_EVENTS, waiting, CallQueued.TYPE, CallQueued.class);
        peers.transfer(refused, g, 0, 300, 1);
        assertEquals(QueueExitReason.QUEUE_FULL,
                peers.await(Topics.ROUTING_EVENTS, refused, QueueExited.TYPE, QueueExited.class).reason());

        Map<String, String> expected = new HashMap<>();
        String tag = "{skill_group=\"" + g + "\"}";
        expected.put("callstream_routing_queue_waiting" + tag, "1.0");
        expected.put("callstream_routing_queue_offered_today" + tag, "4.0");
        expected.put("callstream_routing_queue_answered_today" + tag, "1.0");
        expected.put("callstream_routing_queue_abandoned_today" + tag, "1.0");
        expected.put("callstream_routing_queue_timed_out_today" + tag, "0.0");
        expected.put("callstream_routing_queue_refused_today" + tag, "1.0");
        expected.put("callstream_routing_queue_service_level_ratio" + tag, "0.5");  // 1 answered of 2 (refusals not counted)
        expected.put("callstream_routing_agents{skill_group=\"" + g + "\",state=\"READY\"}", "1.0");
        expected.put("callstream_routing_agents{skill_group=\"" + g + "\",state=\"NOT_READY\"}", "1.0");
        expected.put("callstream_routing_agents{skill_group=\"" + g + "\",state=\"BUSY\"}", "0.0");
        Map<String, String>[] seen = new Map[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            seen[0] = scrape();
            for (var e : expected.entrySet()) {
                assertEquals(e.getValue(), seen[0].get(e.getKey()), e.getKey());
            }
        });
        double longest = Double.parseDouble(seen[0].get("callstream_routing_queue_longest_wait_seconds" + tag));
        assertTrue(longest >= 0 && longest < 60, "the waiting call has waited seconds: " + longest);
        double average = Double.parseDouble(seen[0].get("callstream_routing_queue_average_wait_seconds" + tag));
        assertTrue(average >= 0 && average < 60, "the answered call's wait: " + average);
        assertFalse(Double.isNaN(Double.parseDouble(seen[0].get("callstream_routing_queue_stats_age_seconds"))));
        // the help text says the value is the database's, the same on every replica
        String text = RestAssured.get("/q/metrics").asString();
        assertTrue(text.contains("# HELP callstream_routing_queue_waiting calls waiting in the queue now (from the shared"
                + " database: every replica reports the same)"), "help text");
    }

    /** Every sample line of /q/metrics: name{tags} → value. */
    private static Map<String, String> scrape() {
        Map<String, String> samples = new HashMap<>();
        for (String line : RestAssured.get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (!line.startsWith("#") && line.contains(" ")) {
                samples.put(line.substring(0, line.lastIndexOf(' ')), line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return samples;
    }
}
