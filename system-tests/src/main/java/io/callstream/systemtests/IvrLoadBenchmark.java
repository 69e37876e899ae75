package io.callstream.systemtests;

import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.PromptPlayed;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

/**
 * Drives a running ivr-service the way the gateway would: SESSIONS calls on a looping flow (key menu →
 * prompt → key menu …), every command answered at once by its result event, the answers paced to
 * STEPS per second in all. Measures, per step, the result event sent → the next command received
 * (two Kafka hops, the engine's step and its send), the result appended by the broker → the command
 * handed to Kafka by the service (the call-events topic stamped with LogAppendTime for the run), reads
 * servicekit's stream timer (event taken off Kafka → step committed) from /q/metrics, and samples the
 * service's RSS.
 *   IvrLoadBenchmark kafka=… ivr=http://localhost:8082 token=… pid=… steps=500 seconds=30 sessions=200
 */
public final class IvrLoadBenchmark {
    private static final String FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "menu"}},
              {"id": "menu", "type": "keyMenu", "label": "Menu",
               "settings": {"prompt": {"text": "Hello ${sys.callerNumber}, press 1"}, "variable": "choice"},
               "exits": {"1": "say", "2": "bye"}},
              {"id": "say", "type": "play", "settings": {"prompt": {"text": "You chose ${choice}."}}, "exits": {"next": "menu"}},
              {"id": "bye", "type": "end"}
            ]}""";

    private record Due(long at, String callId, Record result) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(at, ((Due) o).at);
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String ivr = a.getOrDefault("ivr", "http://localhost:8082");
        String token = a.get("token");
        long pid = Long.parseLong(a.get("pid"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "500"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int sessions = Integer.parseInt(a.getOrDefault("sessions", "200"));
        // the same load, unmeasured, first: the JIT compiles the hot paths (C2 alone took a third of a core in
        // the first 30 s) and the sessions are all open, as in a service that has been up for a while
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "30"));
        // ... and then longer, 5 s at a time, while ivr-service's or the broker's JIT compilers still took more than
        // settled-ms in the last 5 s (on 2 cores, 30 s were not enough: 6 s of compiling in the first 11 s measured)
        long settledMs = Long.parseLong(a.getOrDefault("settled-ms", "150"));
        int maxWarmup = Integer.parseInt(a.getOrDefault("max-warmup", String.valueOf(warmup + 120)));
        JvmWatch ivrJvm = JvmWatch.attach(pid);
        JvmWatch kafkaJvm = a.containsKey("kafkapid") ? JvmWatch.attach(Long.parseLong(a.get("kafkapid"))) : null;
        String bootstrap = a.getOrDefault("kafka", "localhost:9092");

        HttpClient http = HttpClient.newHttpClient();
        String flowJson = FLOW.replace("NAME", "Load " + UUID.randomUUID());
        String created = send(http, "POST", ivr + "/api/v1/flows", token, flowJson, 201);
        String flowId = Json.MAPPER.readTree(created).get("id").asText();
        send(http, "POST", ivr + "/api/v1/flows/" + flowId + "/versions", token, null, 201);
        String number = "7" + (1_000_000 + (int) (Math.random() * 8_000_000));
        send(http, "PUT", ivr + "/api/v1/numbers/" + number, token, "{\"flowId\": \"" + flowId + "\"}", 200);

        // For the run, the broker stamps call events with the time it appends them (LogAppendTime): "event in"
        // measured from there leaves out this driver's own sending, which runs at nice 19 on the same cores.
        // Nothing in Callstream reads record timestamps; the topic is set back at the end.
        SystemChecks.logAppendTime(bootstrap, Topics.CALL_EVENTS, true);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "acks", "all", "linger.ms", 0), new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "ivr-load-" + UUID.randomUUID(), "enable.auto.commit", false),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CALL_COMMANDS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);

        // warm-up: the service's consumer group may still be forming; measure only once a call gets through
        String warmUp = UUID.randomUUID().toString();
        emit(producer, new CallStarted(warmUp, CallDirection.INBOUND, "13800000000", number, "PJSIP/warm-up", "warm.up",
                "load", null, null), warmUp);
        long warmStart = System.nanoTime();
        boolean through = false;
        while (!through && System.nanoTime() - warmStart < TimeUnit.SECONDS.toNanos(120)) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                through |= warmUp.equals(r.key());
            }
        }
        if (!through) {
            throw new IllegalStateException("ivr-service did not answer a call within 120 s");
        }
        System.out.printf("warm-up call answered after %.1f s%n", (System.nanoTime() - warmStart) / 1e9);
        emit(producer, new CallEnded(warmUp, 16, "Normal Clearing", HangupParty.CALLER), warmUp);

        Instant startedAt = Instant.now().plusSeconds(warmup);
        long loadStarted = System.nanoTime();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        // the same, on the wall clock (micros): against the command record's CreateTime, which the service's
        // outbox producer stamps when it hands the command to Kafka — the driver's own delays drop out
        Map<String, Long> sentAtMicros = new ConcurrentHashMap<>();
        // the result's append by the broker (its send's metadata) against the command's CreateTime, matched at the end
        Map<String, java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> appended = new HashMap<>();
        List<Object[]> appendedThenCommand = new ArrayList<>();
        long[] serviceSide = new long[steps * seconds * 2 + sessions * 4];
        int serviceMeasured = 0;
        DelayQueue<Due> replies = new DelayQueue<>();
        long[] latencies = new long[steps * seconds * 2 + sessions * 4];
        int measured = 0;
        int started = 0;
        long interval = 1_000_000_000L / steps;
        long nextSlot = System.nanoTime();
        long begin = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long analyzeAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(3, warmup));
        boolean analyzedEarly = false;
        long end = begin + TimeUnit.SECONDS.toNanos(seconds);
        long lastJitSample = System.nanoTime();
        JvmWatch.Settling settling = new JvmWatch.Settling(settledMs, ivrJvm, kafkaJvm);
        long[] jitAtStart = null;
        long[] gcAtStart = null;
        boolean measuring = false;
        java.util.TreeMap<Double, Double> bucketsBefore = new java.util.TreeMap<>();
        java.util.TreeMap<Double, Double> deliveryBefore = new java.util.TreeMap<>();
        long maxRssKb = 0;
        long lastSample = 0;
        List<String> calls = new ArrayList<>();

        while (System.nanoTime() < end) {
            // on a new stack (a fresh clone) ivr-service plans its statements on empty tables, and autovacuum would
            // analyze them only after its one-minute naptime (PostgreSQL at 52 % instead of 22 % in such a run); a
            // service that has been running has statistics, so they are taken here, early in the warm-up (not when
            // measuring starts: on a large database ANALYZE itself disturbed the first seconds measured)
            if (!analyzedEarly && System.nanoTime() >= analyzeAt) {
                analyzedEarly = true;
                try (var db = java.sql.DriverManager.getConnection(a.getOrDefault("jdbc", "jdbc:postgresql://localhost:5433/ivr"),
                        "callstream", "callstream")) {
                    SystemChecks.analyze(db);
                }
            }
            if (!measuring && System.nanoTime() - lastJitSample >= 5_000_000_000L) {
                boolean compiling = settling.stillCompiling(); // read before this round's scrapes, as measured
                // scraped as Prometheus would, every 5 s of the warm-up: the window's first scrape then runs
                // compiled code (in the thirteenth session about 80 of ivr-service's 248 compilations inside the
                // window were its metrics and JMX code, set to work by this driver's scrapes at the window's start)
                buckets(http, ivr);
                buckets(http, ivr, "callstream_events_delivery_seconds_bucket", ENGINE, "topic=\"" + Topics.CALL_EVENTS + "\"");
                lastJitSample = System.nanoTime();
                if (compiling && System.nanoTime() + 5_000_000_000L >= begin
                        && begin - loadStarted < TimeUnit.SECONDS.toNanos(maxWarmup)) {
                    begin += 5_000_000_000L; // still compiling: not the steady state yet
                    end += 5_000_000_000L;
                }
            }
            if (!measuring && System.nanoTime() >= begin) {
                measuring = true;
                startedAt = Instant.now();
                jitAtStart = JvmWatch.compileMillis(ivrJvm, kafkaJvm);
                gcAtStart = JvmWatch.gcMillis(ivrJvm, kafkaJvm);
                bucketsBefore = buckets(http, ivr);
                deliveryBefore = buckets(http, ivr, "callstream_events_delivery_seconds_bucket", ENGINE, "topic=\"" + Topics.CALL_EVENTS + "\"");
                measured = 0;
                serviceMeasured = 0;
                maxRssKb = 0;
            }
            // start the sessions gradually, within the pacing
            if (started < sessions) {
                String callId = UUID.randomUUID().toString();
                calls.add(callId);
                sentAt.put(callId, System.nanoTime());
                emit(producer, new CallStarted(callId, CallDirection.INBOUND, "139" + (10_000_000 + started), number,
                        "PJSIP/load-" + started, "load." + started, "load", null, null), callId);
                started++;
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(1))) {
                Long sent = sentAt.remove(r.key());
                if (sent != null && measuring && measured < latencies.length) {
                    latencies[measured++] = System.nanoTime() - sent;
                }
                Long sentMicros = sentAtMicros.remove(r.key());
                if (sentMicros != null && measuring && serviceMeasured < serviceSide.length) {
                    serviceSide[serviceMeasured++] = (r.timestamp() * 1000 - sentMicros) * 1000; // in ns
                }
                var append = appended.remove(r.key());
                if (append != null && measuring) {
                    appendedThenCommand.add(new Object[]{append, r.timestamp()});
                }
                String type = new String(r.headers().lastHeader(CloudEventsKafka.TYPE).value());
                Record result = resultFor(type, r);
                if (result != null) {
                    nextSlot = Math.max(nextSlot + interval, System.nanoTime());
                    replies.add(new Due(nextSlot, r.key(), result));
                }
            }
            Due due;
            while ((due = replies.poll()) != null) {
                sentAt.put(due.callId(), System.nanoTime());
                sentAtMicros.put(due.callId(), micros());
                appended.put(due.callId(), emit(producer, due.result(), due.callId()));
            }
            if (System.nanoTime() - lastSample > 1_000_000_000L) {
                lastSample = System.nanoTime();
                maxRssKb = Math.max(maxRssKb, rssKb(pid));
            }
        }
        double elapsed = (System.nanoTime() - begin) / 1e9;
        long[] jitAtEnd = JvmWatch.compileMillis(ivrJvm, kafkaJvm);
        long[] gcAtEnd = JvmWatch.gcMillis(ivrJvm, kafkaJvm);
        // the service's own histograms at the window's end, before the hang-ups below: read after them (until the
        // thirteenth session) they counted the 200 sessions' ends, handled in one burst, as 1.3 % of the window's
        // steps, and made both "4 ms or more" shares look 1.3 points worse than the window was
        java.util.TreeMap<Double, Double> window = buckets(http, ivr);
        java.util.TreeMap<Double, Double> delivered = buckets(http, ivr, "callstream_events_delivery_seconds_bucket", ENGINE, "topic=\"" + Topics.CALL_EVENTS + "\"");
        for (String callId : calls) {
            emit(producer, new CallEnded(callId, 16, "Normal Clearing", HangupParty.CALLER), callId);
        }
        producer.flush();
        long[] done = Arrays.copyOf(latencies, measured);
        Arrays.sort(done);
        System.out.printf("ivr-load: %d sessions, %d steps measured in %.1f s after %d s of the same load unmeasured (%.0f steps/s; target pace %d/s)%n",
                started, measured, elapsed, (begin - loadStarted) / 1_000_000_000L, measured / elapsed, steps);
        if (jitAtStart != null) {
            System.out.printf("  besides the work, in the measured window: JIT compiling ivr-service %d ms, Kafka %s; collector pauses "
                            + "ivr-service %d ms, Kafka %s (warm-up %d s asked, longer while either compiled more than %d ms in 5 s)%n",
                    jitAtEnd[0] - jitAtStart[0], kafkaJvm == null ? "not watched" : (jitAtEnd[1] - jitAtStart[1]) + " ms",
                    gcAtEnd[0] - gcAtStart[0], kafkaJvm == null ? "not watched" : (gcAtEnd[1] - gcAtStart[1]) + " ms", warmup, settledMs);
        }
        System.out.printf("  result event sent -> next command received (2 Kafka hops + step + send): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                pct(done, 0.50), pct(done, 0.95), pct(done, 0.99), done.length == 0 ? 0 : done[done.length - 1] / 1e6);
        long[] service = Arrays.copyOf(serviceSide, serviceMeasured);
        Arrays.sort(service);
        System.out.printf("  result event sent -> next command handed to Kafka by the service (1 Kafka hop, this driver's own sending included, + step + send; "
                        + "command CreateTime, ms resolution): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                pct(service, 0.50), pct(service, 0.95), pct(service, 0.99), service.length == 0 ? 0 : service[service.length - 1] / 1e6);
        long[] fromAppend = new long[appendedThenCommand.size()];
        // how the slow steps fall in time: per wall-clock 100 ms of the broker's append
        SlowWindows inTime = new SlowWindows(5);
        for (int i = 0; i < fromAppend.length; i++) {
            var metadata = ((java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>) appendedThenCommand.get(i)[0]).get();
            fromAppend[i] = ((Long) appendedThenCommand.get(i)[1] - metadata.timestamp()) * 1_000_000L; // in ns
            inTime.add(metadata.timestamp(), fromAppend[i] / 1e6);
        }
        SystemChecks.logAppendTime(bootstrap, Topics.CALL_EVENTS, false);
        Arrays.sort(fromAppend);
        System.out.printf("  result appended by the broker -> next command handed to Kafka by the service (the broker's hop to the "
                        + "service + step + send; LogAppendTime against CreateTime, both ms resolution): p50 %.2f ms, p95 %.2f ms, "
                        + "p99 %.2f ms, max %.2f ms%n", pct(fromAppend, 0.50), pct(fromAppend, 0.95), pct(fromAppend, 0.99),
                fromAppend.length == 0 ? 0 : fromAppend[fromAppend.length - 1] / 1e6);
        // Both stamps are whole milliseconds, so a difference of 4 or less is certainly under 5 ms and one of 6
        // or more certainly over it; 5 may be either.
        long atLeast5 = Arrays.stream(fromAppend).filter(v -> v >= 5_000_000L).count();
        long atLeast6 = Arrays.stream(fromAppend).filter(v -> v >= 6_000_000L).count();
        System.out.printf("    of those, 5 ms or more apart in whole milliseconds: %.2f %% (%d); 6 or more: %.2f %% (%d) — the share "
                        + "over 5 ms lies between the two%n", 100.0 * atLeast5 / Math.max(1, fromAppend.length), atLeast5,
                100.0 * atLeast6 / Math.max(1, fromAppend.length), atLeast6);
        inTime.print("steps");
        bucketsBefore.forEach((le, n) -> window.merge(le, -n, Double::sum));
        System.out.printf("  engine step (event's poll returned -> its batch committed, DB write included), servicekit's "
                        + "callstream.events.process{stream=\"ivr-engine\"} histogram over the measured window: %.0f steps, p50 <= %s ms, p99 <= %s ms%n",
                window.isEmpty() ? 0 : window.lastEntry().getValue(), bucketQuantile(window, 0.5), bucketQuantile(window, 0.99));
        deliveryBefore.forEach((le, n) -> delivered.merge(le, -n, Double::sum));
        System.out.printf("  of which the broker's append -> the service's poll returned (servicekit's callstream.events.delivery{stream=\"ivr-engine\"}, "
                        + "whole ms): p50 <= %s ms, p99 <= %s ms; %.2f %% of results 4 ms or more%n",
                bucketQuantile(delivered, 0.5), bucketQuantile(delivered, 0.99), 100 * shareAtLeast(delivered, 0.004));
        System.out.printf("    and the step after the poll: %.2f %% 4 ms or more (process histogram)%n", 100 * shareAtLeast(window, 0.004));
        try (var db = java.sql.DriverManager.getConnection(a.getOrDefault("jdbc", "jdbc:postgresql://localhost:5433/ivr"),
                "callstream", "callstream");
             var q = db.prepareStatement("SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY lag), "
                     + "percentile_disc(0.99) WITHIN GROUP (ORDER BY lag), max(lag) FROM (SELECT extract(epoch FROM sent_at - occurred_at) * 1000 AS lag "
                     + "FROM outbox_message WHERE occurred_at >= ?) l")) {
            q.setTimestamp(1, java.sql.Timestamp.from(startedAt));
            try (var rs = q.executeQuery()) {
                rs.next();
                System.out.printf("  outbox: %d messages, written -> marked sent (acknowledged by Kafka; sent on commit, marked in batches within 20 ms) p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
            }
        }
        System.out.printf("  ivr-service RSS peak %d MiB, after %d MiB%n", maxRssKb / 1024, rssKb(pid) / 1024);
        producer.close();
        consumer.close();
        if (ivrJvm != null) {
            ivrJvm.close();
        }
        if (kafkaJvm != null) {
            kafkaJvm.close();
        }
    }

    private static Record resultFor(String type, ConsumerRecord<String, byte[]> r) {
        if (AnswerCall.TYPE.equals(type)) {
            AnswerCall c = Json.read(r.value(), AnswerCall.class);
            return new CallAnswered(c.callId(), c.commandId());
        } else if (CollectDigits.TYPE.equals(type)) {
            CollectDigits c = Json.read(r.value(), CollectDigits.class);
            return new DigitsCollected(c.callId(), c.commandId(), "1", DigitsCompletion.LENGTH_REACHED);
        } else if (PlayPrompt.TYPE.equals(type)) {
            PlayPrompt c = Json.read(r.value(), PlayPrompt.class);
            return new PromptPlayed(c.callId(), c.commandId(), null);
        }
        return null;
    }

    private static java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> emit(
            KafkaProducer<String, byte[]> producer, Record event, String callId) {
        var t = EventCatalog.of(event.getClass());
        return producer.send(CloudEventsKafka.toRecord(t.topic(), new EventEnvelope(UUID.randomUUID().toString(), t.type(),
                "/callstream/ivr-load", Instant.now(), callId, Json.write(event))));
    }

    /** The ivr-engine step histogram's cumulative buckets (upper bound in seconds → count) from /q/metrics. */
    private static java.util.TreeMap<Double, Double> buckets(HttpClient http, String ivr) throws Exception {
        return buckets(http, ivr, "callstream_events_process_seconds_bucket", ENGINE);
    }

    private static final String ENGINE = "stream=\"ivr-engine\"";

    /**
     * A timer histogram's series with all of {@code labels} (each {@code name="value"}): cumulative buckets
     * (upper bound in seconds → count) from the service's /q/metrics.
     */
    private static java.util.TreeMap<Double, Double> buckets(HttpClient http, String service, String metric, String... labels) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(service + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.TreeMap<Double, Double> out = new java.util.TreeMap<>();
        java.util.regex.Pattern le = java.util.regex.Pattern.compile("le=\"([^\"]+)\"");
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(metric + "{") || !java.util.Arrays.stream(labels).allMatch(line::contains)) {
                continue;
            }
            java.util.regex.Matcher m = le.matcher(line);
            if (m.find()) {
                out.put("+Inf".equals(m.group(1)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /** The share of a cumulative-bucket delta above the largest bucket bound below {@code seconds}. */
    private static double shareAtLeast(java.util.TreeMap<Double, Double> cumulative, double seconds) {
        if (cumulative.isEmpty() || cumulative.lastEntry().getValue() <= 0) {
            return 0;
        }
        var below = cumulative.lowerEntry(seconds);
        return 1 - (below == null ? 0 : below.getValue()) / cumulative.lastEntry().getValue();
    }

    /** The upper bound (ms) of the bucket holding quantile q of a cumulative-bucket delta. */
    private static String bucketQuantile(java.util.TreeMap<Double, Double> cumulative, double q) {
        if (cumulative.isEmpty() || cumulative.lastEntry().getValue() <= 0) {
            return "n/a";
        }
        double target = q * cumulative.lastEntry().getValue();
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= target) {
                return e.getKey().isInfinite() ? "inf" : String.format("%.1f", e.getKey() * 1000);
            }
        }
        return "inf";
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
    }

    private static String send(HttpClient http, String method, String url, String token, String body, int expected)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static long rssKb(long pid) throws java.io.IOException {
        return GatewayLoadBenchmark.Sample.of(pid).rssKb();
    }

    private IvrLoadBenchmark() {
    }
}
