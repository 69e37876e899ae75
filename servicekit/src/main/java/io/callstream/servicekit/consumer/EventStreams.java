package io.callstream.servicekit.consumer;

import io.callstream.contracts.Topics;
import io.callstream.contracts.cloudevents.MalformedEventException;
import io.callstream.servicekit.config.KafkaClientProperties;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Plain Kafka consumers for a service's hot event streams, instead of a messaging channel: each of
 * {@code threads} consumers (one consumer group) owns some partitions and processes their records in
 * order on its own thread, each through {@link IdempotentConsumer} (own transaction, retries), and
 * commits offsets asynchronously at most every 100 ms (synchronously at a clean stop). A record that cannot be processed goes to the service's
 * dead-letter topic and the stream goes on. Streams stop at shutdown before anything else, so an
 * event in flight is redelivered rather than parked.
 */
@ApplicationScoped
public class EventStreams {
    private static final Logger LOG = Logger.getLogger(EventStreams.class);

    private final IdempotentConsumer idempotent;
    private final io.micrometer.core.instrument.MeterRegistry registry;
    private final String bootstrapServers;
    private final String deadLetterTopic;
    private final io.callstream.servicekit.config.ServicekitConfig config;
    private final List<Worker> workers = new ArrayList<>();
    private KafkaProducer<String, byte[]> deadLetters;

    EventStreams(IdempotentConsumer idempotent, io.callstream.servicekit.config.ServicekitConfig config,
                 io.micrometer.core.instrument.MeterRegistry registry, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                 @ConfigProperty(name = "quarkus.application.name") String service) {
        this.idempotent = idempotent;
        this.config = config;
        this.registry = registry;
        this.bootstrapServers = bootstrapServers;
        this.deadLetterTopic = Topics.deadLetter(service);
    }

    /** Starts {@code threads} consumers in {@code group} on {@code topics}, handing each event to {@code handler}. */
    public synchronized void start(String name, String group, List<String> topics, int threads,
                                   Consumer<IncomingEvent> handler) {
        start(name, group, topics, threads, type -> true, handler);
    }

    /**
     * As {@link #start(String, String, List, int, Consumer)}, for a stream that needs only some types of
     * its topics: records of other types ({@code ce_type} header) are passed over without a transaction
     * or a processed-event row, and their offsets committed with the rest of the poll.
     */
    public synchronized void start(String name, String group, List<String> topics, int threads,
                                   Predicate<String> wantedTypes, Consumer<IncomingEvent> handler) {
        start(name, group, topics, threads, new Order(wantedTypes, type -> false, type -> true), handler);
    }

    /**
     * Which types a stream applies, and in what order and grouping within one poll.
     *
     * @param wanted   types applied; the others are passed over (offsets committed with the poll)
     * @param first    types whose partitions are applied ahead of the poll's other partitions (each
     *                 partition's records stay in order; there is no order between partitions anyway), so
     *                 that a latency-critical event does not wait behind a poll's worth of others
     * @param together types whose consecutive events of a poll may share one transaction, up to
     *                 {@code callstream.consumer.batch-size} of them; any other event has a transaction of its
     *                 own. A service whose events lock rows from several partitions keeps this to the types
     *                 that lock only their own partition's rows, so that batches cannot deadlock each other
     */
    public record Order(Predicate<String> wanted, Predicate<String> first, Predicate<String> together) {
    }

    /** Starts {@code threads} consumers in {@code group} on {@code topics}, applying each poll as {@code order} says. */
    public synchronized void start(String name, String group, List<String> topics, int threads, Order order,
                                   Consumer<IncomingEvent> handler) {
        if (deadLetters == null) {
            Map<String, Object> p = new HashMap<>(KafkaClientProperties.fromConfig(ProducerConfig.configNames()));
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            deadLetters = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }
        for (int i = 0; i < threads; i++) {
            Map<String, Object> p = new HashMap<>(KafkaClientProperties.fromConfig(ConsumerConfig.configNames()));
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            // the process id tells replicas on one host apart in the group's member list (kafka-consumer-groups --members)
            // (numbered across the process's streams: a service may start two of one name, on other topics)
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-" + workers.size() + "-" + ProcessHandle.current().pid());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
            // a stream reads several topics of 3 partitions each: round robin spreads all of them over all
            // consumers of the group (the range default gives partition n of every topic to the same
            // consumer, leaving consumers beyond 3 idle however many replicas run)
            p.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    org.apache.kafka.clients.consumer.RoundRobinAssignor.class.getName());
            long session = config.consumer().sessionTimeout().toMillis();
            p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session); // kafka.session.timeout.ms wins
            p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, session / 4));
            Worker w = new Worker(name, new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()),
                    topics, order, handler);
            workers.add(w);
            w.thread.start();
        }
    }

    /** Before the container stops: no event is half-processed when the beans go away. */
    void stop(@Observes ShutdownEvent ignored) {
        List<Worker> all;
        synchronized (this) {
            all = new ArrayList<>(workers);
        }
        all.forEach(Worker::stop);
        for (Worker w : all) {
            try {
                w.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(5));
        }
    }

    private static final long COMMIT_EVERY_NANOS = 100_000_000L;

    private final class Worker implements Runnable {
        final String name;
        final KafkaConsumer<String, byte[]> consumer;
        final List<String> topics;
        final Consumer<IncomingEvent> handler;
        final Order order;
        final Thread thread;
        final io.micrometer.core.instrument.Timer timer;
        /** Per topic: callstream.events.delivery{stream, topic}. */
        final Map<String, io.micrometer.core.instrument.Timer> delivery = new HashMap<>();
        volatile boolean stopping;

        Worker(String name, KafkaConsumer<String, byte[]> consumer, List<String> topics, Order order,
               Consumer<IncomingEvent> handler) {
            this.name = name;
            this.order = order;
            this.consumer = consumer;
            this.topics = topics;
            this.handler = handler;
            this.timer = io.micrometer.core.instrument.Timer.builder("callstream.events.process")
                    .description("an event taken off Kafka (its poll returned) → processed and committed (processed-event row, state, outbox)")
                    .tag("stream", name).publishPercentiles(0.5, 0.99)
                    // buckets too, so a benchmark can take quantiles over exactly its own window (two scrapes)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
            for (String topic : topics) {
                delivery.put(topic, io.micrometer.core.instrument.Timer.builder("callstream.events.delivery")
                        .description("an event's record timestamp (its producer's send, or the broker's append on a LogAppendTime"
                                + " topic) → its poll returned here: how far behind the stream is, in time; whole milliseconds")
                        .tags("stream", name, "topic", topic).publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
            }
            this.thread = new Thread(this, name + "-" + workers.size());
            this.thread.setDaemon(true);
        }

        void stop() {
            stopping = true;
            consumer.wakeup();
        }

        /** Offsets applied and not yet committed; committed at most every 100 ms. Only this worker's thread touches these. */
        private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
        /** Everything applied, committed synchronously at a clean stop. */
        private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        private long lastCommit = System.nanoTime();

        // The loop is only a loop: each poll is a method of its own (pollOnce, apply). The JIT compiles a method
        // once it has been called a few thousand times, seconds into the load; a loop that does the work in its
        // own body is compiled only on its back-edge count (on-stack replacement), which this loop, a few
        // hundred polls a second, reached 60-80 s into a load run: until then it ran interpreted, and its
        // optimised compile came late and large (docs/benchmarks.md, sixteenth session)
        @Override
        public void run() {
            try (consumer) {
                consumer.subscribe(topics);
                while (!stopping && pollOnce()) {
                    // pollOnce did it
                }
                try {
                    consumer.commitSync(committed); // a clean stop leaves nothing to redeliver
                } catch (RuntimeException e) {
                    LOG.debugf("%s: the last offsets were not committed (redelivered, then skipped): %s", name, e.toString());
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s: the consumer stopped", name);
            }
        }

        /** One poll: its records applied, their offsets noted and committed every 100 ms. False when woken to stop. */
        private boolean pollOnce() {
            ConsumerRecords<String, byte[]> records;
            try {
                records = consumer.poll(Duration.ofSeconds(1));
            } catch (WakeupException e) {
                return false;
            }
            long polledAt = System.nanoTime();
            long polledAtMillis = System.currentTimeMillis();
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> endOfPoll = new HashMap<>();
            Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new java.util.LinkedHashMap<>();
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<String, byte[]>> ofPartition = records.records(tp);
                byPartition.put(tp, ofPartition);
                endOfPoll.put(tp, new OffsetAndMetadata(ofPartition.get(ofPartition.size() - 1).offset() + 1));
            }
            List<ConsumerRecord<String, byte[]>> all = PollPlan.order(byPartition, order, r -> delivery.get(r.topic())
                    .record(Math.max(0, polledAtMillis - r.timestamp()), java.util.concurrent.TimeUnit.MILLISECONDS));
            if (apply(all, polledAt, done)) {
                done.putAll(endOfPoll); // what was passed over counts as done once the rest is
            }
            pending.putAll(done);
            if (!pending.isEmpty() && System.nanoTime() - lastCommit >= COMMIT_EVERY_NANOS) {
                // asynchronous, and at most every 100 ms: the next poll does not wait on the group
                // coordinator, and the broker is not asked for a write per poll. An offset lost to a
                // crash only means a redelivery, which the processed-event table drops
                consumer.commitAsync(new HashMap<>(pending), (offsets, e) -> {
                    if (e != null) {
                        LOG.debugf("%s: committing offsets failed (the events come again, are skipped): %s", name, e.toString());
                    }
                });
                pending.clear();
                lastCommit = System.nanoTime();
            }
            committed.putAll(done);
            return true;
        }

        /**
         * Applies a poll's records in chunks, noting each applied one in {@code done}. True when all were applied;
         * false when it stopped part-way (stopping, or a record that failed and was sought back to come again).
         */
        private boolean apply(List<ConsumerRecord<String, byte[]>> all, long polledAt, Map<TopicPartition, OffsetAndMetadata> done) {
            int batch = Math.max(1, config.consumer().batchSize());
            int i = 0;
            while (i < all.size()) {
                if (stopping) {
                    return false;
                }
                List<ConsumerRecord<String, byte[]>> chunk = all.subList(i, PollPlan.chunkEnd(all, i, batch, order));
                if (chunk.size() > 1 && processTogether(chunk, polledAt)) {
                    chunk.forEach(r -> done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
                    i += chunk.size();
                    continue;
                }
                // one at a time: a single record, or a batch that failed (retries, dead letters as usual)
                for (ConsumerRecord<String, byte[]> record : List.copyOf(chunk)) {
                    if (stopping) {
                        return false; // the rest is not committed: redelivered to whoever owns the partition next
                    }
                    try {
                        process(record, polledAt);
                    } catch (RuntimeException e) {
                        // not even parked (the dead-letter topic unreachable): keep the record, try again
                        LOG.errorf("%s: %s-%d@%d not processed, retrying: %s", name, record.topic(), record.partition(),
                                record.offset(), e.toString());
                        seekBack(all.subList(i, all.size()));
                        pause();
                        return false;
                    }
                    done.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                    i++;
                }
            }
            return true;
        }

        private void pause() {
            try {
                Thread.sleep(1000); // retry pacing on this stream's own thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Rewinds every partition of {@code rest} to its first record there: all of it comes again, in order. */
        private void seekBack(List<ConsumerRecord<String, byte[]>> rest) {
            Map<TopicPartition, Long> first = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : rest) {
                first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
            }
            first.forEach(consumer::seek);
        }

        /**
         * Several records in one transaction (one commit); a record that is not a readable event goes to
         * the dead-letter topic first. False when the batch failed (nothing of it is left behind).
         */
        private boolean processTogether(List<ConsumerRecord<String, byte[]>> chunk, long polledAt) {
            List<IncomingEvent> events = new ArrayList<>(chunk.size());
            for (ConsumerRecord<String, byte[]> r : chunk) {
                try {
                    events.add(new IncomingEvent(io.callstream.contracts.cloudevents.CloudEventsKafka.read(r)));
                } catch (MalformedEventException e) {
                    try {
                        process(r, polledAt); // parks it (parked again if the batch then fails: a duplicate dead letter)
                    } catch (RuntimeException notParked) {
                        return false;
                    }
                }
            }
            if (!idempotent.processBatch(name, events, handler)) {
                return false;
            }
            long now = System.nanoTime();
            for (int k = 0; k < events.size(); k++) {
                timer.record(now - polledAt, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            return true;
        }

        private void process(ConsumerRecord<String, byte[]> record, long polledAt) {
            try {
                idempotent.process(name, record, handler);
                timer.record(System.nanoTime() - polledAt, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (MalformedEventException | EventProcessingException e) {
                LOG.errorf("%s: %s-%d@%d goes to %s: %s", name, record.topic(), record.partition(), record.offset(),
                        deadLetterTopic, e.getMessage());
                ProducerRecord<String, byte[]> dead = new ProducerRecord<>(deadLetterTopic, null, record.key(), record.value(),
                        new RecordHeaders(record.headers().toArray()));
                dead.headers().add("dead-letter-reason", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
                dead.headers().add("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8));
                try {
                    deadLetters.send(dead).get();
                } catch (Exception sendFailed) {
                    throw new IllegalStateException("cannot park " + record.topic() + "@" + record.offset()
                            + " on " + deadLetterTopic, sendFailed);
                }
            }
        }
    }
}
