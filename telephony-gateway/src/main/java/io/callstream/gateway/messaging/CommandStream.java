package io.callstream.gateway.messaging;

import io.callstream.contracts.Topics;
import io.callstream.gateway.config.GatewayConfig;
import io.callstream.servicekit.config.KafkaClientProperties;
import io.callstream.servicekit.config.ServicekitConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the whole command topic for this replica: its own consumer group
 * ({@code telephony-gateway-<replica-id>}), from the latest offset, never committing, on one thread
 * of its own that hands each record to {@link CallCommandConsumer}. A plain Kafka consumer rather
 * than a messaging channel: every replica reads every command, most of them for other replicas' calls,
 * and a channel's per-message machinery (context propagation, an event-loop hop) for each would be most
 * of the gateway's garbage at load.
 */
@ApplicationScoped
public class CommandStream {
    private static final Logger LOG = Logger.getLogger(CommandStream.class);

    private final CallCommandConsumer handler;
    private final java.util.concurrent.atomic.AtomicBoolean assigned = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<String, Object> props = new HashMap<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean stopping;
    private Thread thread;

    CommandStream(CallCommandConsumer handler, GatewayConfig config, ServicekitConfig kit,
                  @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.handler = handler;
        props.putAll(KafkaClientProperties.fromConfig(ConsumerConfig.configNames()));
        // a restarted replica rejoins its own group: the dead member's session must not hold it up for long
        long session = kit.consumer().sessionTimeout().toMillis();
        props.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
        props.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, session / 4));
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "telephony-gateway-" + config.replicaId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-commands-" + config.replicaId());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    void start(@Observes StartupEvent ignored) {
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "gateway-commands");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the consumer has been given its partitions (it reads from the latest offset only after that). */
    public boolean assigned() {
        return assigned.get();
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopping = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = consumer) {
            c.subscribe(List.of(Topics.CALL_COMMANDS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        assigned.set(true);
                    }
                }
            });
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofSeconds(1))) {
                    try {
                        handler.on(record);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "command %s-%d@%d not handled", record.topic(), record.partition(), record.offset());
                    }
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                LOG.error("the command consumer was woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "the command consumer stopped");
        }
    }
}
