package io.callstream.servicekit.consumer;

import io.callstream.contracts.cloudevents.CloudEventsKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How one poll is ordered and cut into transactions, as a stream's {@link EventStreams.Order} says. */
class PollPlanTest {
    private static final EventStreams.Order ROUTING_LIKE = new EventStreams.Order(type -> !type.equals("skipped"),
            "transfer"::equals, "state"::equals);

    @Test
    void partitionsWithAFirstTypeGoAheadEachKeepingItsOrderAndUnwantedTypesAreLeftOut() {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> poll = new LinkedHashMap<>();
        poll.put(new TopicPartition("agents", 0), List.of(record("agents", 0, 10, "state"), record("agents", 0, 11, "state")));
        poll.put(new TopicPartition("calls", 1), List.of(record("calls", 1, 5, "ended"), record("calls", 1, 6, "skipped"),
                record("calls", 1, 7, null)));
        poll.put(new TopicPartition("ivr", 2), List.of(record("ivr", 2, 3, "skipped"), record("ivr", 2, 4, "transfer"),
                record("ivr", 2, 8, "other")));
        List<String> seen = new ArrayList<>();

        List<ConsumerRecord<String, byte[]>> all = PollPlan.order(poll, ROUTING_LIKE, r -> seen.add(name(r)));

        assertEquals(List.of("ivr-2@4", "ivr-2@8", "agents-0@10", "agents-0@11", "calls-1@5", "calls-1@7"),
                all.stream().map(PollPlanTest::name).toList(),
                "the transfer's partition first (with what follows it there), then the others in poll order; a record"
                        + " without a type stays (it is parked as unreadable), unwanted types do not");
        assertEquals(List.of("agents-0@10", "agents-0@11", "calls-1@5", "calls-1@7", "ivr-2@4", "ivr-2@8"), seen,
                "every wanted record is seen once (delivery timing)");
    }

    @Test
    void onlyConsecutiveTogetherTypesShareATransactionUpToTheBatchSize() {
        List<ConsumerRecord<String, byte[]>> all = List.of(record("a", 0, 1, "state"), record("a", 0, 2, "state"),
                record("a", 0, 3, "state"), record("a", 0, 4, "ended"), record("a", 0, 5, "state"), record("a", 0, 6, null),
                record("a", 0, 7, "state"), record("a", 0, 8, "state"));

        assertEquals(List.of(3, 1, 1, 1, 2), chunkSizes(all, 5, ROUTING_LIKE));
        assertEquals(List.of(2, 1, 1, 1, 1, 2), chunkSizes(all, 2, ROUTING_LIKE), "the batch size caps a run");
        assertEquals(List.of(5, 1, 2), chunkSizes(all, 5, new EventStreams.Order(type -> true, type -> false, type -> true)),
                "where every type goes together (the default) any run of typed records is batched; an untyped one alone");
    }

    private static List<Integer> chunkSizes(List<ConsumerRecord<String, byte[]>> all, int batch, EventStreams.Order order) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < all.size(); ) {
            int to = PollPlan.chunkEnd(all, i, batch, order);
            sizes.add(to - i);
            i = to;
        }
        return sizes;
    }

    private static ConsumerRecord<String, byte[]> record(String topic, int partition, long offset, String type) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(topic, partition, offset, "k", new byte[0]);
        if (type != null) {
            r.headers().add(CloudEventsKafka.TYPE, type.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    private static String name(ConsumerRecord<String, byte[]> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }
}
