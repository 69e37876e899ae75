package io.callstream.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DialFailureReason;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.QueueExited;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.callstream.systemtests.SystemChecks.check;

/**
 * Three routing-service processes in one consumer group on one database, real agent-service, real Kafka
 * and PostgreSQL; this program plays the IVR (transfer requests, callers hanging up while they wait)
 * and the gateway (rings the agent routing names, then answers, does not answer, is busy, or the caller
 * hangs up while it rings; connected calls end after a while), and changes agents' states at random
 * over agent-service's REST API. Part-way one routing process is killed (SIGKILL): the other two must
 * take over its partitions, its in-flight events and the reservations it made.
 *
 * <p>Checked: no agent is rung for a call while it rings for or talks on another (reception limit 1);
 * no call rings two agents at once; every call is connected or leaves the queue with a reason, never
 * both; at the end no queue entry is left waiting, offered or connected, no agent is left reserved or
 * counted on a call in routing's view nor ringing or busy in agent-service; the consumer group had all
 * three processes before the kill and the two survivors after. Choices are seeded (printed).
 *
 * <pre>args: kafka= agents= token= routing-jdbc= agent-jdbc= pids=p1,p2,p3 threads= calls= agents-count= groups= rate= seed=</pre>
 */
public final class RoutingReplicasSystemTest {
    private static final String GROUP = "routing-service";

    private final Map<String, String> args;
    private final Random random;
    private final String run;
    private final KafkaProducer<String, byte[]> producer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    // the gateway's and callers' view, kept by the single event loop
    private final Map<String, String> busyWith = new HashMap<>();   // agent -> call ringing it or on with it
    private final Map<String, String> ringing = new HashMap<>();    // call -> agent it rings now
    private final Set<String> onCall = new HashSet<>();
    private final Set<String> hungUp = new HashSet<>();
    private final Set<String> seenCommands = new HashSet<>();
    private final Set<String> connected = new HashSet<>();
    private final Map<String, String> exited = new HashMap<>();      // call -> reason
    private final Set<String> agentLegEnded = new HashSet<>();
    private final List<String> violations = new ArrayList<>();
    private final PriorityQueue<Timed> timers = new PriorityQueue<>();
    private int offers;
    private int misses;
    private long timerSeq;

    private record Timed(long atNanos, long seq, Runnable action) implements Comparable<Timed> {
        @Override
        public int compareTo(Timed o) {
            return atNanos != o.atNanos ? Long.compare(atNanos, o.atNanos) : Long.compare(seq, o.seq);
        }
    }

    private RoutingReplicasSystemTest(Map<String, String> args) {
        this.args = args;
        long seed = Long.parseLong(args.getOrDefault("seed", Long.toString(System.nanoTime())));
        System.out.println("routing-replicas: seed " + seed + " (seed=" + seed + " repeats the test's own choices)");
        random = new Random(seed);
        run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("kafka"),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        new RoutingReplicasSystemTest(a).test();
        SystemChecks.finish("routing-replicas");
    }

    private void test() throws Exception {
        int calls = Integer.parseInt(args.getOrDefault("calls", "300"));
        int agentCount = Integer.parseInt(args.getOrDefault("agents-count", "60"));
        int groupCount = Integer.parseInt(args.getOrDefault("groups", "6"));
        double rate = Double.parseDouble(args.getOrDefault("rate", "10"));
        int threads = Integer.parseInt(args.getOrDefault("threads", "2"));
        List<Long> pids = new ArrayList<>();
        for (String p : args.get("pids").split(",")) {
            pids.add(Long.parseLong(p));
        }
        String agents = args.get("agents");
        String token = args.get("token");

        // skill groups (reception limit 1, after-call work 1 s) and agents in one to three of them
        List<String> groups = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            String id = "rr-" + run + "-" + g;
            rest("POST", agents + "/api/v1/skill-groups", token, "application/json",
                    "{\"id\":\"" + id + "\",\"name\":\"Replicas " + run + " " + g + "\",\"receptionLimit\":1,"
                            + "\"afterCallWorkSeconds\":1}", 201);
            groups.add(id);
        }
        StringBuilder csv = new StringBuilder("staffNumber,name,nickname,email,phone,extension,role,skills\n");
        int extBase = 100000 + random.nextInt(800000);
        for (int i = 0; i < agentCount; i++) {
            StringBuilder skills = new StringBuilder();
            for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
                String g = groups.get(random.nextInt(groupCount));
                if (skills.indexOf(g + ":") < 0) {
                    skills.append(skills.length() == 0 ? "" : ";").append(g).append(':').append(1 + random.nextInt(5));
                }
            }
            csv.append("R").append(run).append('-').append(i).append(",Replica ").append(run).append(' ').append(i)
                    .append(",R").append(i).append(",replica").append(run).append('.').append(i).append("@example.com,+86139")
                    .append(String.format("%08d", i)).append(',').append(extBase + i).append(",AGENT,").append(skills).append('\n');
        }
        rest("POST", agents + "/api/v1/agents/import", token, "text/csv", csv.toString(), 201);
        List<String> agentIds = new ArrayList<>();
        for (int page = 0; agentIds.size() < agentCount; page++) {
            JsonNode items = Json.MAPPER.readTree(rest("GET", agents + "/api/v1/agents?size=200&page=" + page + "&name="
                    + URLEncoder.encode("Replica " + run, StandardCharsets.UTF_8), token, null, null, 200)).get("items");
            if (items.isEmpty()) {
                break;
            }
            items.forEach(item -> agentIds.add(item.get("id").asText()));
        }
        check(agentIds.size() == agentCount, agentCount + " agents imported into " + groupCount + " overlapping skill groups");
        for (String id : agentIds) {
            rest("POST", agents + "/api/v1/agents/" + id + "/state", token, "application/json", "{\"state\":\"READY\"}", 200);
        }
        try (Connection routing = DriverManager.getConnection(args.get("routing-jdbc"), "callstream", "callstream")) {
            SystemChecks.await(Duration.ofSeconds(60), "routing-service's view of the ready agents", () ->
                    count(routing, "SELECT count(*) FROM agent_view WHERE agent_id = ANY (?) AND state = 'READY'"
                            + " AND endpoint IS NOT NULL", agentIds) == agentCount);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("kafka")))) {
            Map<String, Integer> before = members(admin);
            Map<Long, Integer> perProcess = partitionsPerProcess(before);
            check(before.size() == pids.size() * threads && perProcess.keySet().equals(new HashSet<>(pids))
                            && perProcess.values().stream().allMatch(n -> n > 0),
                    "consumer group " + GROUP + ": " + pids.size() + " processes × " + threads + " consumers, partitions per process "
                            + new TreeMap<>(perProcess));
        }

        // agents change state at random, on their own thread (agent-service answers 409 when the change is not allowed now)
        AtomicBoolean changing = new AtomicBoolean(true);
        AtomicInteger stateChanges = new AtomicInteger();
        Random stateRandom = new Random(random.nextLong());
        Thread changer = new Thread(() -> {
            while (changing.get()) {
                String id = agentIds.get(stateRandom.nextInt(agentIds.size()));
                String body = stateRandom.nextInt(3) == 0 ? "{\"state\":\"NOT_READY\",\"reason\":\"rest\"}" : "{\"state\":\"READY\"}";
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(agents + "/api/v1/agents/" + id + "/state"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        stateChanges.incrementAndGet();
                    }
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // agent-service busy: the next one
                }
            }
        }, "state-changer");
        changer.start();

        // the run: arrivals at RATE, the gateway's and the callers' parts, one routing process killed at 40 % of the arrivals
        List<String> callIds = new ArrayList<>();
        for (int c = 0; c < calls; c++) {
            callIds.add("rr-" + run + "-call-" + c);
        }
        long start = System.nanoTime();
        long intervalNanos = (long) (1e9 / rate);
        int sent = 0;
        long killed = pids.get(1);
        boolean killDone = false;
        long deadline = start + intervalNanos * calls + Duration.ofSeconds(150).toNanos();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            while (System.nanoTime() < deadline) {
                long now = System.nanoTime();
                while (sent < calls && now >= start + sent * intervalNanos) {
                    transfer(callIds.get(sent), groups.get(random.nextInt(groupCount)));
                    sent++;
                }
                if (!killDone && sent >= calls * 2 / 5) {
                    killDone = true;
                    boolean gone = ProcessHandle.of(killed).map(ProcessHandle::destroyForcibly).orElse(false);
                    check(gone, "routing-service process " + killed + " killed (SIGKILL) after " + sent + " of " + calls
                            + " transfers, with " + ringing.size() + " agents ringing and " + onCall.size() + " on calls");
                }
                while (!timers.isEmpty() && timers.peek().atNanos() <= now) {
                    timers.poll().action().run();
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    if (r.key() != null && r.key().startsWith("rr-" + run + "-call-")) {
                        on(r);
                    }
                }
                if (sent == calls && connected.size() + exited.size() >= calls && onCall.isEmpty() && ringing.isEmpty()
                        && timers.isEmpty()) {
                    break;
                }
            }
        }
        changing.set(false);
        changer.interrupt();
        changer.join(5_000);
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, Long> reasons = new TreeMap<>();
        exited.values().forEach(r -> reasons.merge(r, 1L, Long::sum));
        System.out.printf("routing-replicas: %d calls in %.1f s; %d offers, %d connected, %d missed, left the queue: %s;"
                + " %d agent state changes%n", calls, seconds, offers, connected.size(), misses, reasons, stateChanges.get());
        check(violations.isEmpty(), violations.size() + " double assignments" + (violations.isEmpty() ? ""
                : ": " + violations.subList(0, Math.min(10, violations.size()))));
        Set<String> unresolved = new HashSet<>(callIds);
        unresolved.removeAll(connected);
        unresolved.removeAll(exited.keySet());
        check(unresolved.isEmpty(), "every call connected or left the queue with a reason"
                + (unresolved.isEmpty() ? "" : "; not: " + unresolved.stream().limit(10).toList() + " of " + unresolved.size()));
        Set<String> both = new HashSet<>(connected);
        both.retainAll(exited.keySet());
        check(both.isEmpty(), "no call both connected and left the queue" + (both.isEmpty() ? "" : ": " + both));
        check(connected.size() > calls / 4 && offers > connected.size(), "the run was real: " + connected.size()
                + " connected, " + offers + " offers");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("kafka")))) {
            SystemChecks.await(Duration.ofSeconds(60), "the survivors alone in the consumer group", () ->
                    members(admin).size() == (pids.size() - 1) * threads);
            Map<Long, Integer> after = partitionsPerProcess(members(admin));
            check(!after.containsKey(killed) && after.values().stream().mapToInt(Integer::intValue).sum() == 9,
                    "consumer group " + GROUP + " after the kill: all 9 partitions with the survivors " + new TreeMap<>(after));
        }
        String like = "rr-" + run + "-call-%";
        try (Connection routing = DriverManager.getConnection(args.get("routing-jdbc"), "callstream", "callstream");
             Connection agentDb = DriverManager.getConnection(args.get("agent-jdbc"), "callstream", "callstream")) {
            SystemChecks.await(Duration.ofSeconds(60), "routing's queues and reservations to settle", () ->
                    count(routing, "SELECT count(*) FROM queue_entry WHERE call_id LIKE ? AND state <> 'ENDED'", like) == 0
                            && count(routing, "SELECT count(*) FROM agent_view WHERE agent_id = ANY (?)"
                            + " AND (reserved_call IS NOT NULL OR active_calls <> 0)", agentIds) == 0);
            check(true, "routing: no queue entry left waiting, offered or connected; no agent left reserved or on a call");
            check(count(routing, "SELECT count(*) FROM queue_entry WHERE call_id LIKE ? AND state = 'ENDED'"
                    + " AND exit_reason IS NULL AND connected_agent IS NULL", like) == 0, "routing: every ended entry has an agent or a reason");
            check(count(routing, "SELECT count(*) FROM queue_entry WHERE call_id LIKE ?", like) == calls,
                    "routing: one queue entry per call, " + calls);
            String stuck = "SELECT agent_id || ' ' || state || ' call ' || coalesce(call_id, '-') || ' since ' || since"
                    + " FROM agent_state WHERE agent_id::text = ANY (?) AND state IN ('RINGING', 'BUSY')";
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<String> left = rows(agentDb, stuck, agentIds);
            while (!left.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(500); // real processes: polled
                left = rows(agentDb, stuck, agentIds);
            }
            check(left.isEmpty(), "agent-service: no agent left ringing or busy" + (left.isEmpty() ? "" : "; left: " + left));
        }
        producer.close();
    }

    /** Partitions per process, from the members' client ids ({@code routing-<thread>-<pid>}). */
    private static Map<Long, Integer> partitionsPerProcess(Map<String, Integer> members) {
        Map<Long, Integer> out = new HashMap<>();
        members.forEach((member, partitions) -> {
            String client = member.substring(0, member.indexOf('@'));
            out.merge(Long.parseLong(client.substring(client.lastIndexOf('-') + 1)), partitions, Integer::sum);
        });
        return out;
    }

    /** Per consumer-group member (client id + member id), how many partitions it holds. */
    private static Map<String, Integer> members(Admin admin) throws Exception {
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
        Map<String, Integer> out = new HashMap<>();
        for (MemberDescription m : d.members()) {
            out.put(m.clientId() + "@" + m.consumerId().substring(m.consumerId().length() - 6), m.assignment().topicPartitions().size());
        }
        return out;
    }

    private void on(ConsumerRecord<String, byte[]> r) {
        String type = new String(r.headers().lastHeader(CloudEventsKafka.TYPE).value(), StandardCharsets.UTF_8);
        String call = r.key();
        switch (type) {
            case ConnectAgent.TYPE -> {
                ConnectAgent c = Json.read(r.value(), ConnectAgent.class);
                if (!seenCommands.add(c.commandId())) {
                    return; // resent by a relay after the kill: the gateway acts on a command once
                }
                offers++;
                if (hungUp.contains(call)) {
                    return; // routing offered it before it read the hang-up; the call is gone, the gateway has nothing to ring
                }
                if (busyWith.containsKey(c.agentId())) {
                    violations.add(c.agentId() + " rung for " + call + " while it has " + busyWith.get(c.agentId()));
                }
                if (ringing.containsKey(call) || onCall.contains(call)) {
                    violations.add(call + " rings " + c.agentId() + " while it rings or talks to " + ringing.get(call));
                }
                busyWith.put(c.agentId(), call);
                ringing.put(call, c.agentId());
                int roll = random.nextInt(20);
                if (roll < 13) {           // answers after a ring, talks a while, hangs up
                    later(100 + random.nextInt(700), () -> {
                        ringing.remove(call);
                        onCall.add(call);
                        event(call, new AgentConnected(call, c.commandId(), c.agentId(), c.endpoint(), c.endpoint() + "-1"));
                        later(300 + random.nextInt(2500), () -> {
                            busyWith.remove(c.agentId());
                            onCall.remove(call);
                            agentLegEnded.add(call);
                            event(call, new BridgeEnded(call, c.commandId(), c.agentId(), c.endpoint(), HangupParty.AGENT, 1000));
                            event(call, new CallEnded(call, 16, "Normal Clearing", HangupParty.AGENT));
                            hungUp.add(call);
                        });
                    });
                } else if (roll < 18) {    // no answer, or busy
                    later(200 + random.nextInt(1300), () -> {
                        ringing.remove(call);
                        busyWith.remove(c.agentId());
                        event(call, new DialFailed(call, c.commandId(), c.agentId(), c.endpoint(),
                                roll == 17 ? DialFailureReason.BUSY : DialFailureReason.NO_ANSWER));
                    });
                } else {                   // the caller gives up while it rings
                    later(100 + random.nextInt(900), () -> {
                        ringing.remove(call);
                        busyWith.remove(c.agentId());
                        hungUp.add(call);
                        event(call, new CallEnded(call, 16, "Normal Clearing", HangupParty.CALLER));
                    });
                }
            }
            case CallConnected.TYPE -> connected.add(call);
            case QueueExited.TYPE -> exited.put(call, Json.read(r.value(), QueueExited.class).reason().name());
            case AgentMissed.TYPE -> misses++;
            default -> {
            }
        }
    }

    private void transfer(String call, String group) {
        event(call, new TransferRequested(call, "s-" + call, "agent", group, random.nextInt(3), 60, null, null,
                "+86139" + (10000000 + random.nextInt(89999999)), "4001", Map.of("orderid", call), List.of()));
        if (random.nextInt(10) == 0) {  // one caller in ten hangs up after a few seconds if no agent rang by then
            later(2000 + random.nextInt(6000), () -> {
                if (!ringing.containsKey(call) && !onCall.contains(call) && !connected.contains(call)
                        && !exited.containsKey(call) && !hungUp.contains(call)) {
                    hungUp.add(call);
                    event(call, new CallEnded(call, 16, "Normal Clearing", HangupParty.CALLER));
                }
            });
        }
    }

    private void later(long millis, Runnable action) {
        timers.add(new Timed(System.nanoTime() + millis * 1_000_000L, timerSeq++, action));
    }

    private void event(String key, Object data) {
        String topic = data instanceof TransferRequested ? Topics.IVR_EVENTS : Topics.CALL_EVENTS;
        EventEnvelope e = new EventEnvelope(UUID.randomUUID().toString(), EventCatalog.of(data.getClass()).type(),
                "/callstream/routing-replicas-test", Instant.now(), key, Json.write(data));
        producer.send(CloudEventsKafka.toRecord(topic, e));
    }

    private KafkaConsumer<String, byte[]> consumer() {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("kafka"),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(Topics.CALL_COMMANDS, Topics.ROUTING_EVENTS)) {
            c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
        }
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        return c;
    }

    private static long count(Connection db, String sql, Object param) throws Exception {
        try (PreparedStatement st = db.prepareStatement(sql)) {
            if (param instanceof List<?> list) {
                st.setArray(1, db.createArrayOf("text", list.toArray()));
            } else {
                st.setObject(1, param);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<String> rows(Connection db, String sql, List<String> param) throws Exception {
        try (PreparedStatement st = db.prepareStatement(sql)) {
            st.setArray(1, db.createArrayOf("text", param.toArray()));
            List<String> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    private String rest(String method, String url, String token, String contentType, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + " → " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
