package io.callstream.systemtests;

import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.Prompt;
import io.callstream.contracts.call.StartHold;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the IVR's part for the gateway benchmark (ivr-service does not exist yet): greets each inbound
 * call, collects one key, puts the caller on hold, and hangs up after {@code hold}. Only Kafka between
 * it and the gateway, as in production.
 */
final class StandInIvr implements AutoCloseable {
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger();
    final AtomicInteger endedBySystem = new AtomicInteger();
    final AtomicInteger commandFailures = new AtomicInteger();
    final AtomicInteger live = new AtomicInteger();
    final AtomicInteger maxLive = new AtomicInteger();
    final Map<String, String> failures = new ConcurrentHashMap<>();
    /** Result events per command id: more than one means two replicas acted on one command. */
    private final Map<String, Integer> results = new ConcurrentHashMap<>();
    private final java.util.Set<String> replicas = ConcurrentHashMap.newKeySet();

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Duration hold;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Thread loop;
    private volatile boolean running = true;

    StandInIvr(String bootstrap, Duration hold) {
        this.hold = hold;
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-ivr-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
        consumer.subscribe(List.of(Topics.CALL_EVENTS));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        loop = new Thread(this::run, "stand-in-ivr");
        loop.start();
    }

    private void run() {
        while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                try {
                    on(r);
                } catch (RuntimeException e) {
                    failures.merge("driver: " + e, r.key(), (a, b) -> a);
                }
            }
        }
        consumer.close();
    }

    private void on(ConsumerRecord<String, byte[]> r) {
        try {
            handle(r);
        } catch (java.io.IOException e) {
            failures.merge("unreadable event: " + e.getMessage(), String.valueOf(r.key()), (a, b) -> a);
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) throws java.io.IOException {
        var type = r.headers().lastHeader(CloudEventsKafka.TYPE);
        if (type == null) {
            return;
        }
        String t = new String(type.value(), StandardCharsets.UTF_8);
        String callId = r.key();
        if (t.equals("io.callstream.call.answered") || t.equals("io.callstream.call.prompt-played")
                || t.equals(DigitsCollected.TYPE) || t.equals("io.callstream.call.command-completed")) {
            String commandId = Json.MAPPER.readTree(r.value()).path("commandId").asText();
            if (results.merge(commandId, 1, Integer::sum) > 1) {
                failures.merge("two results for one command (" + t + ")", callId, (a, b) -> a);
            }
        }
        switch (t) {
            case CallStarted.TYPE -> {
                CallStarted cs = Json.read(r.value(), CallStarted.class);
                if (cs.direction() != CallDirection.INBOUND) {
                    return;
                }
                replicas.add(cs.gatewayReplica());
                started.incrementAndGet();
                maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
                send(new AnswerCall(id(), callId));
                send(new PlayPrompt(id(), callId, Prompt.text("Welcome to the load test"), false, 1));
                send(new CollectDigits(id(), callId, Prompt.text("Press 1 to wait for an agent"), 1, 1, null, 10));
            }
            case DigitsCollected.TYPE -> {
                send(new StartHold(id(), callId, null));
                timers.schedule(() -> send(new HangUp(id(), callId, null)), hold.toMillis(), TimeUnit.MILLISECONDS);
            }
            case CommandFailed.TYPE -> {
                CommandFailed f = Json.read(r.value(), CommandFailed.class);
                commandFailures.incrementAndGet();
                failures.merge(f.command() + " " + f.reason() + " " + f.detail(), callId, (a, b) -> a);
            }
            case CallEnded.TYPE -> {
                CallEnded e = Json.read(r.value(), CallEnded.class);
                ended.incrementAndGet();
                live.decrementAndGet();
                if (e.hungUpBy() == HangupParty.SYSTEM) {
                    endedBySystem.incrementAndGet();
                } else {
                    failures.merge("call ended by " + e.hungUpBy() + " (" + e.cause() + " " + e.causeText() + ")",
                            callId, (a, b) -> a);
                }
            }
            default -> {
            }
        }
    }

    int replicasSeen() {
        return replicas.size();
    }

    private void send(CallCommand command) {
        EventEnvelope e = new EventEnvelope(UUID.randomUUID().toString(), EventCatalog.of(command.getClass()).type(),
                "/callstream/benchmark-ivr", Instant.now(), command.callId(), Json.write(command));
        producer.send(CloudEventsKafka.toRecord(Topics.CALL_COMMANDS, e));
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.join(5_000);
        timers.shutdownNow();
        producer.close();
    }
}
