package io.callstream.systemtests;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * What one Kafka hop costs on this machine with nothing else of the stack working: one producer (acks=all,
 * no linger, as the services send) and one consumer in this JVM, on a new one-partition topic stamped with
 * LogAppendTime, records paced to RATE a second. Per phase: send → acknowledged, send → polled by the
 * consumer (both on this JVM's clock), and the broker's append → polled (ms clock). Phases run one after
 * another in the same JVM, so the later ones run on warm clients.
 *   KafkaHopProbe BOOTSTRAP [RATE:COUNT,RATE:COUNT,…]   (default phases 2000:40000,10:300,200:6000,2000:60000,10:300)
 */
public final class KafkaHopProbe {
    public static void main(String[] args) throws Exception {
        String kafka = args[0];
        for (String phase : (args.length > 1 ? args[1] : "2000:40000,10:300,200:6000,2000:60000,10:300").split(",")) {
            String[] p = phase.split(":");
            run(kafka, Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }
    }

    private static void run(String kafka, int rate, int count) throws Exception {
        String topic = "callstream.probe.hop-" + System.currentTimeMillis();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
        }
        long[] acked = new long[count];
        long[] polled = new long[count];
        long[] appendedToPolled = new long[count];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka,
                "acks", "all", "linger.ms", 0), new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka,
                     "group.id", topic, "auto.offset.reset", "earliest", "enable.auto.commit", false),
                     new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            Thread reader = new Thread(() -> {
                int got = 0;
                while (got < count) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                        long now = System.nanoTime();
                        long nowMillis = System.currentTimeMillis();
                        int i = Integer.parseInt(r.key());
                        polled[i] = now - ByteBuffer.wrap(r.value()).getLong();
                        appendedToPolled[i] = nowMillis - r.timestamp();
                        got++;
                    }
                }
            }, "probe-reader");
            reader.start();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + i * 1_000_000_000L / rate;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(Math.min(wait, 200_000));
                }
                long sent = System.nanoTime();
                int index = i;
                producer.send(new ProducerRecord<>(topic, Integer.toString(i), ByteBuffer.allocate(8).putLong(sent).array()),
                        (metadata, error) -> acked[index] = error == null ? System.nanoTime() - sent : Long.MAX_VALUE);
            }
            reader.join();
            producer.flush();
        }
        System.out.printf("%d records at %d/s: send → acknowledged %s; send → polled %s; appended → polled (ms clock) %s%n",
                count, rate, quantiles(acked, 1e6), quantiles(polled, 1e6), quantiles(appendedToPolled, 1));
    }

    private static String quantiles(long[] values, double perMs) {
        long[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return String.format("p50 %.2f / p90 %.2f / p99 %.2f / max %.2f ms", v[n / 2] / perMs, v[n * 9 / 10] / perMs,
                v[n * 99 / 100] / perMs, v[n - 1] / perMs);
    }
}
