package io.callstream.testkit;

import io.callstream.contracts.Json;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.awaitility.Awaitility;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;


/** Produce to and await CloudEvents on the test broker (KafkaCompanion underneath). */
public final class KafkaEvents implements AutoCloseable {
    private static KafkaEvents shared;

    private final KafkaCompanion companion;
    private KafkaProducer<String, byte[]> producer;

    /** One instance per test JVM on the shared test broker, closed when the JVM exits. */
    public static synchronized KafkaEvents shared() {
        if (shared == null) {
            shared = new KafkaEvents();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "kafka-events-close"));
        }
        return shared;
    }

    public KafkaEvents() {
        this(TestInfrastructure.get().kafkaBootstrapServers());
    }

    public KafkaEvents(String bootstrapServers) {
        companion = new KafkaCompanion(bootstrapServers);
    }

    public KafkaCompanion companion() {
        return companion;
    }

    /** Starts reading {@code topic} from its beginning; the task keeps collecting until closed. */
    public ConsumerTask<String, byte[]> watch(String topic) {
        return companion.<String, byte[]>consumeWithDeserializers(new StringDeserializer(), new ByteArrayDeserializer())
                .withGroupId("test-" + UUID.randomUUID())
                .fromTopics(topic);
    }

    /** Waits until {@code topic} holds a record that matches (reading every partition from its start), and returns it. */
    public ConsumerRecord<String, byte[]> awaitRecord(String topic, Predicate<ConsumerRecord<String, byte[]>> match) {
        try (KafkaConsumer<String, byte[]> consumer = fromBeginning(topic)) {
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> {
                    if (match.test(r)) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
            return found.get(0);
        }
    }

    /** Waits for the CloudEvent with this id on {@code topic}. */
    public ConsumerRecord<String, byte[]> awaitEventId(String topic, String eventId) {
        return awaitRecord(topic, r -> eventId.equals(header(r, CloudEventsKafka.ID)));
    }

    /** Every record on {@code topic} whose {@code ce_id} is {@code eventId}, reading all partitions to their end. */
    public List<ConsumerRecord<String, byte[]>> recordsWithEventId(String topic, String eventId) {
        return readToEnd(topic).stream().filter(r -> eventId.equals(header(r, CloudEventsKafka.ID))).toList();
    }

    /** Everything on {@code topic} right now, from the beginning to the current end of each partition. */
    public List<ConsumerRecord<String, byte[]>> readToEnd(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = fromBeginning(topic)) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
            return records;
        }
    }

    /**
     * The same as {@link #readToEnd}, from one consumer per topic kept open: each call reads only what
     * arrived since the last one. For tests that look at a topic again and again (a fake switch reading
     * each call's next command), where a fresh consumer per look reads the whole topic every time.
     */
    public List<ConsumerRecord<String, byte[]>> readToEndCached(String topic) {
        synchronized (tails) {
            Tail t = tails.computeIfAbsent(topic, k -> new Tail(fromBeginning(k)));
            Map<TopicPartition, Long> end = t.consumer.endOffsets(t.consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!end.entrySet().stream().allMatch(e -> t.consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 30 s");
                }
                t.consumer.poll(Duration.ofMillis(50)).forEach(t.records::add);
            }
            return List.copyOf(t.records);
        }
    }

    private final Map<String, Tail> tails = new java.util.HashMap<>();

    private static final class Tail {
        final KafkaConsumer<String, byte[]> consumer;
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

        Tail(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }
    }

    private KafkaConsumer<String, byte[]> fromBeginning(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, companion.getBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Sends {@code data} as a CloudEvent of {@code type} keyed by {@code key}; returns the event id. */
    public String send(String topic, String type, String key, Object data) {
        return send(topic, new EventEnvelope(UUID.randomUUID().toString(), type, "/callstream/test", Instant.now(),
                key, Json.write(data)));
    }

    public String send(String topic, EventEnvelope envelope) {
        ProducerRecord<String, byte[]> record = CloudEventsKafka.toRecord(topic, envelope);
        produce(record);
        return envelope.id();
    }

    /** Sends raw bytes with no CloudEvents headers (what a misbehaving producer might do). */
    public void sendRaw(String topic, String key, byte[] value) {
        produce(new ProducerRecord<>(topic, key, value));
    }

    private synchronized void produce(ProducerRecord<String, byte[]> record) {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, companion.getBootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        }
        try {
            producer.send(record).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + record.topic(), e);
        }
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close();
        }
        synchronized (tails) {
            tails.values().forEach(t -> t.consumer.close());
            tails.clear();
        }
        companion.close();
    }
}
