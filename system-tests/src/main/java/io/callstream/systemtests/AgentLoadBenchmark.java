package io.callstream.systemtests;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentStateChanged;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * agent-service at size: 500 skill groups and 10,000 agents (one bulk import, timed), then agents
 * changing state over REST at RATE per second for SECONDS — each change's event read back from Kafka —
 * and paged agent searches. Prints the import time, state change → event latencies, search latencies
 * and the service's RSS.
 *   AgentLoadBenchmark kafka=… agents=http://localhost:8084 token=… pid=… count=10000 groups=500 rate=200 seconds=30 searches=2000
 */
public final class AgentLoadBenchmark {

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String base = a.get("agents");
        String token = a.get("token");
        long pid = Long.parseLong(a.get("pid"));
        int count = Integer.parseInt(a.getOrDefault("count", "10000"));
        int groups = Integer.parseInt(a.getOrDefault("groups", "500"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "200"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int searches = Integer.parseInt(a.getOrDefault("searches", "2000"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Random random = new Random(42);
        String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

        // a clean slate: an earlier run's agents and groups go (straight from the database; the run is the test's own)
        try (var db = java.sql.DriverManager.getConnection(a.getOrDefault("jdbc", "jdbc:postgresql://localhost:5433/agent"),
                "callstream", "callstream"); var st = db.createStatement()) {
            int agents = st.executeUpdate("DELETE FROM agent WHERE staff_number ~ '^B[0-9a-z]+-[0-9]+$' AND email LIKE 'bench%'");
            int groupsGone = st.executeUpdate("DELETE FROM skill_group WHERE id LIKE 'bench-%'");
            if (agents + groupsGone > 0) {
                System.out.printf("agent-load: removed %d agents and %d skill groups of an earlier run%n", agents, groupsGone);
            }
        }

        // 500 skill groups
        List<String> groupIds = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            String id = "bench-" + run + "-" + g;
            SystemChecks.call(http, "POST", base + "/api/v1/skill-groups", token, "application/json",
                    "{\"id\":\"" + id + "\",\"name\":\"Bench " + run + " " + g + "\",\"receptionLimit\":1}", 201);
            groupIds.add(id);
        }

        // 10,000 agents in one CSV import, each in one to three groups
        StringBuilder csv = new StringBuilder("staffNumber,name,nickname,email,phone,extension,role,skills\n");
        int extBase = 100000 + random.nextInt(400000);
        for (int i = 0; i < count; i++) {
            StringBuilder skills = new StringBuilder();
            int n = 1 + random.nextInt(3);
            for (int k = 0; k < n; k++) {
                String g = groupIds.get((i * 7 + k * 131) % groupIds.size());
                if (skills.indexOf(g + ":") < 0) {
                    skills.append(skills.length() == 0 ? "" : ";").append(g).append(':').append(1 + random.nextInt(5));
                }
            }
            csv.append("B").append(run).append('-').append(i).append(",Bench Agent ").append(i).append(",Nick ")
                    .append(i).append(",bench").append(run).append('.').append(i).append("@example.com,+86138")
                    .append(String.format("%08d", i)).append(',').append(extBase + i).append(",AGENT,").append(skills)
                    .append('\n');
        }
        long t0 = System.nanoTime();
        SystemChecks.call(http, "POST", base + "/api/v1/agents/import", token, "text/csv", csv.toString(), 201);
        double importSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("agent-load: %d skill groups; bulk import of %d agents (CSV, %d KiB): %.2f s%n",
                groups, count, csv.length() / 1024, importSeconds);

        // the agents' ids, through the paged search
        List<String> ids = new ArrayList<>();
        for (int page = 0; ids.size() < count; page++) {
            String body = SystemChecks.call(http, "GET", base + "/api/v1/agents?size=200&page=" + page
                    + "&name=" + URLEncoder.encode("Bench Agent", StandardCharsets.UTF_8), token, null, null, 200);
            List<String> found = new ArrayList<>();
            var items = Json.MAPPER.readTree(body).get("items");
            items.forEach(item -> found.add(item.get("id").asText()));
            if (found.isEmpty()) {
                break;
            }
            ids.addAll(found);
        }
        if (ids.size() < count) {
            throw new IllegalStateException("found " + ids.size() + " of the " + count + " agents");
        }

        // state changes: REST → commit → outbox → Kafka, read back
        Map<String, Long> sentAtNanos = new ConcurrentHashMap<>();
        List<double[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean reading = new AtomicBoolean(true);
        long nanoOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        Thread reader = new Thread(() -> {
            Map<String, Object> p = Map.of("bootstrap.servers", a.get("kafka"), "enable.auto.commit", false);
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                c.partitionsFor(Topics.AGENT_EVENTS).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
                c.assign(parts);
                c.seekToEnd(parts);
                parts.forEach(c::position);
                synchronized (seen) {
                    seen.notifyAll();
                }
                while (reading.get()) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        long receivedNanos = System.nanoTime();
                        if (!"io.callstream.agent.state-changed".equals(new String(r.headers().lastHeader("ce_type").value(),
                                StandardCharsets.UTF_8))) {
                            continue;
                        }
                        AgentStateChanged e = Json.read(r.value(), AgentStateChanged.class);
                        Long sent = sentAtNanos.remove(e.agentId() + "/" + e.state());
                        double changedAtMs = e.changedAt().toEpochMilli() + (e.changedAt().getNano() % 1_000_000) / 1e6;
                        double handedMs = r.timestamp() - changedAtMs; // producer CreateTime (ms) − the change's time
                        double receivedMs = (receivedNanos + nanoOffset) / 1e6 - changedAtMs;
                        double roundTripMs = sent == null ? -1 : (receivedNanos - sent) / 1e6;
                        seen.add(new double[]{handedMs, receivedMs, roundTripMs});
                    }
                }
            }
        }, "reader");
        synchronized (seen) {
            reader.start();
            seen.wait(30_000);
        }
        Map<String, String> stateOf = new HashMap<>();
        Instant measuredFrom = Instant.now();
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        int changes = 0;
        int warmup = rate * 5;
        for (long next = start; System.nanoTime() - start < (seconds + 5) * 1_000_000_000L; next += intervalNanos) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            String id = ids.get(random.nextInt(ids.size()));
            String target = "READY".equals(stateOf.get(id)) ? "NOT_READY" : "READY";
            stateOf.put(id, target);
            sentAtNanos.put(id + "/" + target, System.nanoTime());
            SystemChecks.call(http, "POST", base + "/api/v1/agents/" + id + "/state", token, "application/json",
                    "READY".equals(target) ? "{\"state\":\"READY\"}" : "{\"state\":\"NOT_READY\",\"reason\":\"rest\"}", 200);
            changes++;
            if (changes == warmup) {
                seen.clear();
                measuredFrom = Instant.now();
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (seen.size() < changes - warmup && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        reading.set(false);
        reader.join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<double[]> measured = new ArrayList<>(seen);
        System.out.printf("  state changes: %d over %.1f s (%d/s asked; the first 5 s are warm-up), %d events measured%n",
                changes, elapsed, rate, measured.size());
        System.out.printf("  state change → event handed to Kafka (producer CreateTime, ms resolution − changedAt): %s%n",
                quantiles(measured, 0));
        System.out.printf("  state change → event received by a consumer: %s%n", quantiles(measured, 1));
        System.out.printf("  REST request sent → its event received: %s%n", quantiles(measured, 2));
        try (var db = java.sql.DriverManager.getConnection(a.getOrDefault("jdbc", "jdbc:postgresql://localhost:5433/agent"),
                "callstream", "callstream");
             var q = db.prepareStatement("SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY lag), "
                     + "percentile_disc(0.99) WITHIN GROUP (ORDER BY lag), max(lag) FROM (SELECT extract(epoch FROM sent_at - occurred_at) * 1000 AS lag "
                     + "FROM outbox_message WHERE occurred_at >= ? AND type = 'io.callstream.agent.state-changed') l")) {
            q.setTimestamp(1, java.sql.Timestamp.from(measuredFrom));
            try (var rs = q.executeQuery()) {
                rs.next();
                System.out.printf("  outbox (the service's database): %d state events, written -> marked sent (acknowledged by Kafka; sent on commit, marked in batches within 20 ms) p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms%n", rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
            }
        }

        // searches: the filters a supervisor's screen uses, paged
        long[] took = new long[searches];
        for (int i = 0; i < searches; i++) {
            String query = switch (i % 5) {
                case 0 -> "name=" + URLEncoder.encode("Bench Agent " + random.nextInt(count / 10), StandardCharsets.UTF_8);
                case 1 -> "skillGroup=" + groupIds.get(random.nextInt(groupIds.size()));
                case 2 -> "staffNumber=B" + run + "-" + random.nextInt(count);
                case 3 -> "email=bench" + run + "." + random.nextInt(count) + "%40example.com";
                default -> "name=Bench&page=" + random.nextInt(40);
            };
            long s0 = System.nanoTime();
            SystemChecks.call(http, "GET", base + "/api/v1/agents?size=20&" + query, token, null, null, 200);
            took[i] = System.nanoTime() - s0;
        }
        Arrays.sort(took);
        System.out.printf("  agent searches (paged, 20 per page; name, skill group, staff number, email, deep pages): %d, "
                        + "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n", searches, took[searches / 2] / 1e6,
                took[(int) (searches * 0.95)] / 1e6, took[(int) (searches * 0.99)] / 1e6, took[searches - 1] / 1e6);
        System.out.printf("  agent-service RSS %d MiB%n", GatewayLoadBenchmark.Sample.of(pid).rssKb() / 1024);
    }

    private static String quantiles(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).filter(x -> x >= 0).sorted().toArray();
        if (v.length == 0) {
            return "none";
        }
        return String.format("p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", v[v.length / 2],
                v[(int) (v.length * 0.95)], v[(int) (v.length * 0.99)], v[v.length - 1]);
    }

    private AgentLoadBenchmark() {
    }
}
