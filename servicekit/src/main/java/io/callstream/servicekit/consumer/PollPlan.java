package io.callstream.servicekit.consumer;

import io.callstream.contracts.cloudevents.CloudEventsKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * In what order, and grouped into which transactions, an {@link EventStreams} worker applies one poll, as
 * the stream's {@link EventStreams.Order} says. Each partition's records keep their order; partitions
 * holding a type that goes first come before the others.
 */
final class PollPlan {
    private PollPlan() {
    }

    /**
     * The poll's wanted records (their type wanted, or no type: those are parked as unreadable), the
     * partitions with a {@code first} type ahead; {@code onWanted} sees each of them.
     */
    static List<ConsumerRecord<String, byte[]>> order(Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> poll,
                                                      EventStreams.Order order, Consumer<ConsumerRecord<String, byte[]>> onWanted) {
        List<ConsumerRecord<String, byte[]>> firstOnes = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> rest = new ArrayList<>();
        for (List<ConsumerRecord<String, byte[]>> ofPartition : poll.values()) {
            List<ConsumerRecord<String, byte[]>> wanted = new ArrayList<>(ofPartition.size());
            boolean first = false;
            for (ConsumerRecord<String, byte[]> r : ofPartition) {
                String type = type(r);
                if (type == null || order.wanted().test(type)) {
                    wanted.add(r);
                    first |= type != null && order.first().test(type);
                    onWanted.accept(r);
                }
            }
            (first ? firstOnes : rest).addAll(wanted);
        }
        firstOnes.addAll(rest);
        return firstOnes;
    }

    /**
     * Where the transaction that starts at {@code all.get(from)} ends (exclusive): after the run of
     * consecutive {@code together} types there, at most {@code batch} long; right after it otherwise.
     */
    static int chunkEnd(List<ConsumerRecord<String, byte[]>> all, int from, int batch, EventStreams.Order order) {
        int to = from + 1;
        if (together(all.get(from), order)) {
            while (to < all.size() && to - from < batch && together(all.get(to), order)) {
                to++;
            }
        }
        return to;
    }

    /** The record's CloudEvents type; null when it has none. */
    static String type(ConsumerRecord<String, byte[]> r) {
        Header type = r.headers().lastHeader(CloudEventsKafka.TYPE);
        return type == null ? null : new String(type.value(), StandardCharsets.UTF_8);
    }

    private static boolean together(ConsumerRecord<String, byte[]> r, EventStreams.Order order) {
        String type = type(r);
        return type != null && order.together().test(type);
    }
}
