package io.callstream.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.Originate;
import io.callstream.contracts.call.OriginateFailed;
import io.callstream.contracts.outbound.AttemptFinished;
import io.callstream.contracts.outbound.AttemptStarted;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * outbound-service at size, on the local stack with the PBX simulator as the switch.
 * <ol>
 * <li>Upload: a task that cannot start yet (not-before 30 days ahead), then CALLEES callees streamed to
 * {@code POST /api/v1/tasks/{id}/callees} as one CSV (number and two variables per row), generated while it
 * is sent (chunked; the driver never holds it). Wall time to the response; every 0.5 s before, during and
 * after: the service's RSS (VmRSS), heap and direct buffers (from {@code /q/metrics}), and the bytes sent
 * next to the rows PostgreSQL's COPY has taken ({@code pg_stat_progress_copy}), which shows whether the
 * service streams the body or buffers it first.</li>
 * <li>Pacing: for each rate in RATES, a task of rate × (WARMUP + SECONDS) + margin inline callees, every
 * one a number the simulator answers busy at once (so concurrency never holds the dialer back). From
 * Kafka: each attempt's {@code attempt-started} (its {@code startedAt}, the dialer's time), its
 * {@code originate} command (CreateTime: the outbox relay handed it to Kafka) and the gateway's
 * {@code originate-failed} (CreateTime: the switch said busy). Over SECONDS after the first WARMUP s of
 * dialing: achieved rate / configured, the fewest and most dials in any whole second of the window, the
 * drift from an ideal schedule, and the dialer's own meters (pass time, visits skipped).</li>
 * </ol>
 *   OutboundLoadBenchmark outbound=http://localhost:8085 kafka=… jdbc=… token=… pid=… gatewayPid=… kafkaPid=…
 *   postgresPid=… hz=100 callees=1000000 rates=1,10,50,100 seconds=30 warmup=5 busy=13900000002
 */
public final class OutboundLoadBenchmark {
    private static final String PREFIX = "bench-outbound ";
    private static final String CALLER = "4000900001";

    private final Map<String, String> a;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;
    private final long pid;
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private OutboundLoadBenchmark(Map<String, String> a) {
        this.a = a;
        this.base = a.getOrDefault("outbound", "http://localhost:8085");
        this.token = a.get("token");
        this.pid = Long.parseLong(a.get("pid"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        OutboundLoadBenchmark b = new OutboundLoadBenchmark(a);
        try (Connection db = DriverManager.getConnection(a.getOrDefault("jdbc", "jdbc:postgresql://localhost:5433/outbound"),
                "callstream", "callstream")) {
            b.cleanUp(db);
            String flow = b.outboundFlow(db);
            b.send("PUT", "/api/v1/caller-numbers/" + CALLER, "application/json", "{\"maxConcurrentCalls\":10000}", null);
            long callees = Long.parseLong(a.getOrDefault("callees", "1000000"));
            if (callees > 0) {
                for (int i = 0; i < Integer.parseInt(a.getOrDefault("uploads", "1")); i++) {
                    b.upload(db, flow, callees, i + 1);
                }
            }
            String rates = a.getOrDefault("rates", "1,10,50,100");
            if (!rates.isBlank() && !rates.equals("0")) {
                b.pacing(db, flow, Arrays.stream(rates.split(",")).mapToDouble(Double::parseDouble).toArray());
            }
        }
        System.exit(0);
    }

    /** An earlier run's tasks go, straight from the database (they are the benchmark's own rows). */
    private void cleanUp(Connection db) throws Exception {
        try (var st = db.prepareStatement("DELETE FROM outbound_task WHERE name LIKE ?")) {
            st.setString(1, PREFIX + "%");
            int n = st.executeUpdate();
            if (n > 0) {
                System.out.printf("outbound-load: removed %d tasks of an earlier run%n", n);
            }
        }
    }

    /** The OUTBOUND flow ivr-service published (the local stack's demo flow), once outbound-service knows it. */
    private String outboundFlow(Connection db) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (var st = db.createStatement(); var rs = st.executeQuery("SELECT id FROM known_flow WHERE kind = 'OUTBOUND' "
                    + "AND active_version IS NOT NULL AND NOT deleted ORDER BY changed_at LIMIT 1")) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("outbound-service knows no published OUTBOUND flow (is the demo data loaded?)");
            }
            Thread.sleep(500); // polling a database: nothing to wait on
        }
    }

    // ---------------------------------------------------------------- phase 1: a million callees streamed in

    private void upload(Connection db, String flow, long rows, int n) throws Exception {
        Instant notBefore = Instant.now().plus(Duration.ofDays(30));
        String body = "{\"name\":\"" + PREFIX + run + " upload " + n + "\",\"flowId\":\"" + flow + "\",\"callerNumbers\":[\""
                + CALLER + "\"],\"notBefore\":\"" + notBefore + "\",\"notAfter\":\"" + notBefore.plus(Duration.ofDays(1))
                + "\",\"maxCallsPerSecond\":100,\"maxConcurrentCalls\":1000}";
        String taskId = Json.MAPPER.readTree(send("POST", "/api/v1/tasks", "application/json", body, 201)).get("id").asText();

        GeneratedCsv csv = new GeneratedCsv(rows);
        Memory memory = new Memory(csv);
        memory.start(500);
        Thread.sleep(3000); // samples before the upload (a sampling timer)
        Cpu cpu0 = Cpu.sample(this);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks/" + taskId + "/callees"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv")
                .timeout(Duration.ofMinutes(30)).POST(HttpRequest.BodyPublishers.ofInputStream(() -> csv)).build();
        memory.mark("upload");
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        double took = (System.nanoTime() - t0) / 1e9;
        memory.mark("after");
        Cpu cpu1 = Cpu.sample(this);
        Thread.sleep(3000); // samples after
        memory.stop();
        if (r.statusCode() != 200) {
            throw new IllegalStateException("upload → " + r.statusCode() + ": " + r.body().substring(0, Math.min(2000, r.body().length())));
        }
        JsonNode result = Json.MAPPER.readTree(r.body());
        long stored;
        try (var st = db.prepareStatement("SELECT count(*) FROM callee WHERE task_id = CAST(? AS uuid)")) {
            st.setString(1, taskId);
            try (var rs = st.executeQuery()) {
                rs.next();
                stored = rs.getLong(1);
            }
        }
        System.out.printf("upload %d: %,d callees (CSV, %.1f MiB, chunked) → 200 in %.1f s (%,.0f rows/s, %.1f MiB/s); "
                        + "accepted %d, rejected %d, task callee count %d, rows in the table %d%n", n, rows,
                csv.sent / 1048576.0, took, rows / took, csv.sent / 1048576.0 / took, result.get("accepted").asLong(),
                result.get("rejected").asLong(), result.get("calleeCount").asLong(), stored);
        System.out.printf("  CPU during the upload (100 %% = one core): %s%n", cpu1.minus(cpu0));
        memory.report();
        // the task is the benchmark's own: it goes at once, so the pacing runs do not carry a million rows
        long d0 = System.nanoTime();
        try (var st = db.prepareStatement("DELETE FROM outbound_task WHERE id = CAST(? AS uuid)")) {
            st.setString(1, taskId);
            st.executeUpdate();
        }
        System.out.printf("  (task deleted from the database in %.1f s)%n", (System.nanoTime() - d0) / 1e9);
    }

    /** number,name,amount — one row per callee, made as it is read. */
    private static final class GeneratedCsv extends InputStream {
        private final long rows;
        private long next;
        private byte[] chunk = "number,name,amount\n".getBytes(StandardCharsets.US_ASCII);
        private int pos;
        volatile long sent;

        GeneratedCsv(long rows) {
            this.rows = rows;
        }

        private boolean fill() {
            if (pos < chunk.length) {
                return true;
            }
            if (next >= rows) {
                return false;
            }
            StringBuilder b = new StringBuilder(40 * 1024);
            for (int i = 0; i < 1024 && next < rows; i++, next++) {
                b.append("138").append(String.format("%08d", next)).append(",Customer ").append(next).append(',')
                        .append(next % 10_000).append('.').append(String.format("%02d", next % 100)).append('\n');
            }
            chunk = b.toString().getBytes(StandardCharsets.US_ASCII);
            pos = 0;
            return true;
        }

        @Override
        public int read() {
            if (!fill()) {
                return -1;
            }
            sent++;
            return chunk[pos++] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, buf, off, n);
            pos += n;
            sent += n;
            return n;
        }
    }

    /** outbound-service's RSS, heap and direct buffers every so often, each sample tagged with the phase it fell in. */
    private final class Memory {
        /** One sample; {@code sentBytes} what the driver had sent by then, {@code copiedRows} what PostgreSQL's COPY had taken. */
        record Sample(double at, String phase, long rssKb, double heapMb, double directMb, long sentBytes, long copiedRows) {
        }

        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private final long t0 = System.nanoTime();
        private final GeneratedCsv csv;
        private final Connection progress;
        private volatile String phase = "before";

        Memory(GeneratedCsv csv) throws Exception {
            this.csv = csv;
            this.progress = DriverManager.getConnection(a.getOrDefault("jdbc", "jdbc:postgresql://localhost:5433/outbound"),
                    "callstream", "callstream");
        }

        void start(long everyMs) {
            timer.scheduleAtFixedRate(() -> {
                try {
                    double[] m = metrics();
                    samples.add(new Sample((System.nanoTime() - t0) / 1e9, phase, GatewayLoadBenchmark.Sample.of(pid).rssKb(),
                            m[0], m[1], csv.sent, copied()));
                } catch (Exception e) {
                    samples.add(new Sample((System.nanoTime() - t0) / 1e9, phase, -1, -1, -1, csv.sent, -1));
                }
            }, 0, everyMs, TimeUnit.MILLISECONDS);
        }

        /** Rows a COPY into callee has taken so far (pg_stat_progress_copy), 0 when none runs. */
        private long copied() throws Exception {
            try (var st = progress.createStatement(); var rs = st.executeQuery("SELECT coalesce(sum(tuples_processed), 0) "
                    + "FROM pg_stat_progress_copy WHERE relid = 'callee'::regclass")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        void mark(String phase) {
            this.phase = phase;
        }

        void stop() throws Exception {
            timer.shutdown();
            timer.awaitTermination(5, TimeUnit.SECONDS);
            progress.close();
        }

        void report() {
            for (String p : List.of("before", "upload", "after")) {
                long[] rss = samples.stream().filter(s -> s.phase.equals(p) && s.rssKb > 0).mapToLong(Sample::rssKb).toArray();
                double[] heap = samples.stream().filter(s -> s.phase.equals(p) && s.heapMb >= 0).mapToDouble(Sample::heapMb).toArray();
                double[] direct = samples.stream().filter(s -> s.phase.equals(p) && s.directMb >= 0).mapToDouble(Sample::directMb).toArray();
                if (rss.length == 0) {
                    continue;
                }
                System.out.printf("  outbound-service %-6s (%3d samples): RSS min %d, max %d, last %d MiB; heap used max %.0f MiB; "
                                + "direct buffers max %.1f MiB%n", p, rss.length, Arrays.stream(rss).min().getAsLong() / 1024,
                        Arrays.stream(rss).max().getAsLong() / 1024, rss[rss.length - 1] / 1024,
                        Arrays.stream(heap).max().orElse(-1), Arrays.stream(direct).max().orElse(-1));
            }
            StringBuilder line = new StringBuilder("  over time (s: RSS MiB / MiB sent by the driver / rows copied by PostgreSQL so far):");
            Sample last = null;
            for (Sample s : samples) {
                if (last == null || s.at - last.at >= 1.9 || !s.phase.equals(last.phase)) {
                    line.append(String.format(" %.0f: %d/%.1f/%,d", s.at, s.rssKb / 1024, s.sentBytes / 1048576.0, s.copiedRows));
                    last = s;
                }
            }
            System.out.println(line);
        }

        /** Heap used and direct buffers used (MiB), from the Prometheus text. */
        private double[] metrics() throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            double heap = 0;
            double direct = 0;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    heap += value(line);
                } else if (line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"")) {
                    direct += value(line);
                }
            }
            return new double[]{heap / 1048576.0, direct / 1048576.0};
        }

        private static double value(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
    }

    // ---------------------------------------------------------------- phase 2: pacing

    /** What the driver saw of one attempt on Kafka (times in ms since the epoch). */
    private static final class Attempt {
        volatile double startedAt = Double.NaN;
        volatile long startedCreate = -1;
        volatile long originateCreate = -1;
        volatile long failedCreate = -1;
        volatile long finishedCreate = -1;
        volatile String outcome;
    }

    /** Attempts per task, as read from the three topics. */
    private static final class Observed {
        final Map<String, Map<String, Attempt>> byTask = new ConcurrentHashMap<>();
        final Map<String, Attempt> byAttempt = new ConcurrentHashMap<>();
        private final Map<String, Integer> finished = new HashMap<>();

        Attempt attempt(String taskId, String attemptId) {
            Attempt at = byAttempt.computeIfAbsent(attemptId, k -> new Attempt());
            if (taskId != null) {
                byTask.computeIfAbsent(taskId, k -> new ConcurrentHashMap<>()).put(attemptId, at);
            }
            return at;
        }

        synchronized void finished(String taskId) {
            finished.merge(taskId, 1, Integer::sum);
            notifyAll();
        }

        /** Waits until the task has this many attempts finished, or the time is up; whether it has. */
        synchronized boolean awaitFinished(String taskId, int n, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (finished.getOrDefault(taskId, 0) < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    private void pacing(Connection db, String flow, double[] rates) throws Exception {
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        String busy = a.getOrDefault("busy", "13900000002");
        Observed seen = new Observed();
        AtomicBoolean reading = new AtomicBoolean(true);
        CountDownLatch positioned = new CountDownLatch(1);
        Thread reader = new Thread(() -> read(seen, reading, positioned), "outbound-load-reader");
        reader.start();
        positioned.await();
        List<String> summary = new ArrayList<>();
        for (double rate : rates) {
            int callees = (int) Math.ceil(rate * (warmup + seconds)) + (int) Math.max(10, 3 * rate);
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < callees; i++) {
                list.append(i == 0 ? "" : ",").append("{\"number\":\"").append(busy).append("\",\"variables\":{\"n\":\"")
                        .append(i).append("\"}}");
            }
            String body = "{\"name\":\"" + PREFIX + run + " pacing " + rate + "/s\",\"flowId\":\"" + flow
                    + "\",\"callerNumbers\":[\"" + CALLER + "\"],\"maxCallsPerSecond\":" + rate
                    + ",\"maxConcurrentCalls\":1000,\"maxRingSeconds\":30,\"maxTries\":1,\"callees\":[" + list + "]}";
            Cpu cpu0 = Cpu.sample(this);
            Map<String, Double> meters0 = meters();
            String taskId = Json.MAPPER.readTree(send("POST", "/api/v1/tasks", "application/json", body, 201)).get("id").asText();
            boolean all = seen.awaitFinished(taskId, callees, Duration.ofSeconds((long) (callees / rate) + 60));
            Cpu cpu1 = Cpu.sample(this);
            Map<String, Double> meters1 = meters();
            if (!all) {
                send("POST", "/api/v1/tasks/" + taskId + "/stop", null, null, 200);
            }
            summary.add(report(rate, taskId, callees, seconds, warmup, seen, cpu1.minus(cpu0), all));
            double passes = delta(meters0, meters1, "callstream_outbound_dialer_pass_seconds_count");
            System.out.printf("  the service's dialer meanwhile: %.0f passes, mean %.1f ms each (max of the last minutes %.1f ms); "
                            + "%.0f task visits skipped (the task row held by another transaction)%n", passes,
                    passes == 0 ? 0 : 1000 * delta(meters0, meters1, "callstream_outbound_dialer_pass_seconds_sum") / passes,
                    1000 * meters1.getOrDefault("callstream_outbound_dialer_pass_seconds_max", -0.001),
                    delta(meters0, meters1, "callstream_outbound_dialer_skipped_total"));
        }
        reading.set(false);
        reader.join();
        System.out.println("pacing summary (configured → achieved over the window; whole-second windows min..max):");
        summary.forEach(System.out::println);
    }

    /** outbound-service's meters without labels (the dialer's), by Prometheus name. */
    private Map<String, Double> meters() throws Exception {
        Map<String, Double> out = new HashMap<>();
        String text = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith("callstream_outbound_dialer_")) {
                int space = line.lastIndexOf(' ');
                int brace = line.indexOf('{');
                out.put(line.substring(0, brace > 0 ? brace : space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
    }

    private void read(Observed seen, AtomicBoolean reading, CountDownLatch positioned) {
        Map<String, Object> p = Map.of("bootstrap.servers", a.get("kafka"), "enable.auto.commit", false,
                "max.poll.records", 2000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.OUTBOUND_EVENTS, Topics.CALL_COMMANDS, Topics.CALL_EVENTS)) {
                c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            }
            c.assign(parts);
            c.seekToEnd(parts);
            parts.forEach(c::position);
            positioned.countDown();
            while (reading.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Header h = r.headers().lastHeader("ce_type");
                    String type = h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
                    switch (type) {
                        case AttemptStarted.TYPE -> {
                            AttemptStarted e = Json.read(r.value(), AttemptStarted.class);
                            Attempt at = seen.attempt(e.taskId(), e.attemptId());
                            at.startedAt = e.startedAt().toEpochMilli() + (e.startedAt().getNano() % 1_000_000) / 1e6;
                            at.startedCreate = r.timestamp();
                        }
                        case Originate.TYPE -> {
                            Originate o = Json.read(r.value(), Originate.class);
                            if (o.variables() != null && o.variables().containsKey("callstream.taskId")) {
                                seen.attempt(o.variables().get("callstream.taskId"), o.attemptId()).originateCreate = r.timestamp();
                            }
                        }
                        case OriginateFailed.TYPE -> {
                            OriginateFailed f = Json.read(r.value(), OriginateFailed.class);
                            if (f.attemptId() != null) {
                                seen.attempt(null, f.attemptId()).failedCreate = r.timestamp();
                            }
                        }
                        case AttemptFinished.TYPE -> {
                            AttemptFinished f = Json.read(r.value(), AttemptFinished.class);
                            Attempt at = seen.attempt(f.taskId(), f.attemptId());
                            at.finishedCreate = r.timestamp();
                            at.outcome = f.outcome().name();
                            seen.finished(f.taskId());
                        }
                        default -> {
                        }
                    }
                }
            }
        }
    }

    private String report(double rate, String taskId, int callees, int seconds, int warmup, Observed seen, String cpu,
                          boolean all) {
        List<Attempt> attempts = new ArrayList<>(seen.byTask.getOrDefault(taskId, Map.of()).values());
        double[] started = attempts.stream().filter(x -> !Double.isNaN(x.startedAt)).mapToDouble(x -> x.startedAt).sorted().toArray();
        double[] relayed = attempts.stream().filter(x -> x.originateCreate > 0).mapToDouble(x -> x.originateCreate).sorted().toArray();
        double[] switched = attempts.stream().filter(x -> x.failedCreate > 0).mapToDouble(x -> x.failedCreate).sorted().toArray();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        attempts.stream().filter(x -> x.outcome != null).forEach(x -> outcomes.merge(x.outcome, 1L, Long::sum));
        System.out.printf("rate %s/s: %d callees (all busy at once), %d attempts started, %d finished %s%s%n", fmt(rate),
                callees, started.length, outcomes.values().stream().mapToLong(Long::longValue).sum(), outcomes,
                all ? "" : " — NOT ALL FINISHED in time, task stopped");
        Window dialer = Window.of(started, warmup, seconds, rate);
        Window relay = Window.of(relayed, warmup, seconds, rate);
        Window sw = Window.of(switched, warmup, seconds, rate);
        System.out.printf("  dialer (attempt-started startedAt):        %s%n", dialer);
        System.out.printf("  originate on Kafka (command CreateTime):   %s%n", relay);
        System.out.printf("  switch answered busy (originate-failed):  %s%n", sw);
        System.out.printf("  dialer passes that dialed this task (distinct startedAt in the window): %s%n", passes(started, warmup, seconds));
        System.out.printf("  startedAt → originate on Kafka: %s; → originate-failed on Kafka: %s; → attempt-finished on Kafka: %s%n",
                quantiles(attempts, x -> x.originateCreate > 0 ? x.originateCreate - x.startedAt : -1),
                quantiles(attempts, x -> x.failedCreate > 0 ? x.failedCreate - x.startedAt : -1),
                quantiles(attempts, x -> x.finishedCreate > 0 ? x.finishedCreate - x.startedAt : -1));
        attempts.stream().filter(x -> x.failedCreate > 0 && !Double.isNaN(x.startedAt))
                .max(java.util.Comparator.comparingDouble(x -> x.failedCreate - x.startedAt))
                .ifPresent(x -> System.out.printf("  slowest busy answer: %.0f ms, the task's dial no. %d%n",
                        x.failedCreate - x.startedAt, 1 + Arrays.stream(started).filter(t -> t < x.startedAt).count()));
        System.out.printf("  attempts in progress at once (started, not finished): peak %d; CPU from creation to the last "
                + "attempt finished: %s%n", peakOpen(attempts), cpu);
        return String.format("  %6s/s → dialer %s; originates on Kafka %s; busy answers %s", fmt(rate), dialer.brief(),
                relay.brief(), sw.brief());
    }

    /** Dials (or commands, or answers) over a steady window: from WARMUP s after the first for SECONDS s. */
    private record Window(int count, double seconds, double rate, double spanMs, int minSecond, int maxSecond, double maxGapMs,
                          double maxBehindMs, double maxAheadMs) {
        static Window of(double[] times, int warmup, int seconds, double rate) {
            if (times.length == 0) {
                return new Window(0, seconds, rate, 0, 0, 0, 0, 0, 0);
            }
            double from = times[0] + warmup * 1000.0;
            double to = from + seconds * 1000.0;
            int[] perSecond = new int[seconds];
            int count = 0;
            double maxGap = 0;
            double previous = Double.NaN;
            double firstInWindow = Double.NaN;
            double behind = 0;
            double ahead = 0;
            for (double t : times) {
                if (t >= from && t < to) {
                    if (Double.isNaN(firstInWindow)) {
                        firstInWindow = t;
                    }
                    // against the ideal schedule: the window's first dial, then one every 1/rate
                    double late = t - (firstInWindow + count * 1000.0 / rate);
                    behind = Math.max(behind, late);
                    ahead = Math.max(ahead, -late);
                    count++;
                    perSecond[(int) ((t - from) / 1000)]++;
                    if (!Double.isNaN(previous)) {
                        maxGap = Math.max(maxGap, t - previous);
                    }
                    previous = t;
                }
            }
            return new Window(count, seconds, rate, previous - firstInWindow, Arrays.stream(perSecond).min().orElse(0),
                    Arrays.stream(perSecond).max().orElse(0), maxGap, behind, ahead);
        }

        /** Dials per second from the window's first dial to its last: (n − 1) intervals over their span. */
        double achieved() {
            return count < 2 ? 0 : (count - 1) * 1000.0 / spanMs;
        }

        String brief() {
            return String.format("%.3f/s (%.1f %%), %d..%d", achieved(), 100 * achieved() / rate, minSecond, maxSecond);
        }

        @Override
        public String toString() {
            return String.format("%d in %.0f s, %.3f/s (first to last), %.1f %% of %s/s; per whole second min %d (%.0f %%), max %d (%.0f %%); "
                            + "longest gap %.0f ms (1/rate = %.0f ms); against the ideal schedule at most %.0f ms behind, "
                            + "%.0f ms ahead", count, seconds, achieved(), 100 * achieved() / rate, fmt(rate), minSecond,
                    100 * minSecond / rate, maxSecond, 100 * maxSecond / rate, maxGapMs, 1000 / rate, maxBehindMs, maxAheadMs);
        }
    }

    /** The dialer's passes that dialed, seen as distinct startedAt values: how many, and the time between them. */
    private static String passes(double[] started, int warmup, int seconds) {
        if (started.length == 0) {
            return "none";
        }
        double from = started[0] + warmup * 1000.0;
        double[] times = Arrays.stream(started).filter(t -> t >= from && t < from + seconds * 1000.0).distinct().toArray();
        if (times.length < 2) {
            return times.length + "";
        }
        double[] gaps = new double[times.length - 1];
        for (int i = 1; i < times.length; i++) {
            gaps[i - 1] = times[i] - times[i - 1];
        }
        Arrays.sort(gaps);
        double median = gaps[gaps.length / 2];
        long long_ = Arrays.stream(gaps).filter(g -> g > 1.5 * median).count();
        return String.format("%d, %.1f dials each; gap p50 %.0f, p99 %.0f, max %.0f ms; %d gaps over 1.5 × the median", times.length,
                (double) Arrays.stream(started).filter(t -> t >= from && t < from + seconds * 1000.0).count() / times.length,
                median, gaps[(int) (gaps.length * 0.99)], gaps[gaps.length - 1], long_);
    }

    private static int peakOpen(List<Attempt> attempts) {
        List<double[]> edges = new ArrayList<>();
        for (Attempt x : attempts) {
            if (!Double.isNaN(x.startedAt)) {
                edges.add(new double[]{x.startedAt, 1});
                edges.add(new double[]{x.finishedCreate > 0 ? x.finishedCreate : Double.MAX_VALUE, -1});
            }
        }
        edges.sort((p, q) -> p[0] != q[0] ? Double.compare(p[0], q[0]) : Double.compare(q[1], p[1]));
        int open = 0;
        int peak = 0;
        for (double[] e : edges) {
            open += (int) e[1];
            peak = Math.max(peak, open);
        }
        return peak;
    }

    private static String quantiles(List<Attempt> attempts, java.util.function.ToDoubleFunction<Attempt> f) {
        double[] v = attempts.stream().mapToDouble(f).filter(x -> x >= 0).sorted().toArray();
        if (v.length == 0) {
            return "none";
        }
        return String.format("p50 %.0f, p99 %.0f, max %.0f ms", v[v.length / 2], v[(int) (v.length * 0.99)], v[v.length - 1]);
    }

    private static String fmt(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    // ---------------------------------------------------------------- measuring, REST

    /** CPU ticks of outbound-service, the gateway, Kafka and PostgreSQL (the postmaster, its children and the children it reaped). */
    private record Cpu(long outbound, long gateway, long kafka, long postgres, long nanos, int hz) {
        static Cpu sample(OutboundLoadBenchmark b) {
            long pg = 0;
            String pm = b.a.get("postgresPid");
            if (pm != null) {
                long p = Long.parseLong(pm);
                pg = ticks(p) + ProcessHandle.of(p).map(h -> h.children().mapToLong(c -> ticks(c.pid())).sum()).orElse(0L);
            }
            return new Cpu(ticks(b.pid), ticks(Long.parseLong(b.a.getOrDefault("gatewayPid", "0"))),
                    ticks(Long.parseLong(b.a.getOrDefault("kafkaPid", "0"))), pg, System.nanoTime(),
                    Integer.parseInt(b.a.getOrDefault("hz", "100")));
        }

        String minus(Cpu before) {
            double s = (nanos - before.nanos) / 1e9;
            return String.format("outbound-service %.0f %%, gateway %.0f %%, Kafka %.0f %%, PostgreSQL %.0f %%",
                    100.0 * (outbound - before.outbound) / hz / s, 100.0 * (gateway - before.gateway) / hz / s,
                    100.0 * (kafka - before.kafka) / hz / s, 100.0 * (postgres - before.postgres) / hz / s);
        }

        private static long ticks(long pid) {
            if (pid <= 0) {
                return 0;
            }
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            } catch (IOException | RuntimeException e) {
                return 0; // a backend that exited: its time is in the postmaster's reaped children
            }
        }
    }

    private String send(String method, String path, String contentType, String body, Integer expected) throws Exception {
        return SystemChecks.call(http, method, base + path, token, contentType, body, expected);
    }

}
