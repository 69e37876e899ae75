package io.callstream.testkit;

import io.callstream.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/** Creates Callstream's topics on a broker that does not create topics by itself (ours never do). */
public final class KafkaTopics {
    public static final int PARTITIONS = 3;

    /** The shared topics and every service's dead-letter topic. */
    public static List<String> callstreamTopics() {
        return Stream.concat(Topics.ALL.stream(), Topics.SERVICES.stream().map(Topics::deadLetter)).toList();
    }

    /** Creates each missing topic with {@link #PARTITIONS} partitions and one replica; existing ones are left alone. */
    public static void create(String bootstrapServers, Collection<String> names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> topics = names.stream().map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList();
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private KafkaTopics() {
    }
}
