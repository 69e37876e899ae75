package io.callstream.agent.feed;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.servicekit.config.KafkaClientProperties;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agents' live feeds. Every replica reads {@code callstream.agent.events} and
 * {@code callstream.routing.events} from their ends (no consumer group: each replica sees everything,
 * whichever one an agent's browser is connected to) and passes each agent its state changes and, when a
 * call is offered, the screen pop. Nothing is replayed: a feed starts with a snapshot of the state.
 */
@ApplicationScoped
public class AgentFeed {
    private static final Logger LOG = Logger.getLogger(AgentFeed.class);

    /** What the feed sends when a call is offered: what the agent needs before answering. */
    public record ScreenPop(String callId, String callerNumber, String calledNumber, String skillGroup,
                            long waitMillis, Map<String, String> variables, List<io.callstream.contracts.ivr.KeyPress> keyTrail) {
    }

    private record Subscriber(SseEventSink sink, Sse sse) {
    }

    private final String bootstrapServers;
    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile boolean reading;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private ScheduledExecutorService heartbeat;

    AgentFeed(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent ignored) {
        Map<String, Object> p = new HashMap<>(KafkaClientProperties.fromConfig(ConsumerConfig.configNames()));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "agent-feed");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "agent-feed");
        thread.setDaemon(true);
        thread.start();
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-feed-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::heartbeat, 15, 15, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopping = true;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        subscribers.values().forEach(list -> list.forEach(s -> s.sink().close()));
    }

    /** Whether the feed reads Kafka (assigned and positioned): what a test waits for before it publishes. */
    public boolean reading() {
        return reading;
    }

    /** Adds a connected agent; {@code snapshot} is sent first. */
    public void subscribe(String agentId, SseEventSink sink, Sse sse, Object snapshot) {
        Subscriber s = new Subscriber(sink, sse);
        subscribers.computeIfAbsent(agentId, k -> new CopyOnWriteArrayList<>()).add(s);
        send(agentId, s, "snapshot", snapshot);
    }

    public int connected() {
        return subscribers.values().stream().mapToInt(List::size).sum();
    }

    private void run() {
        KafkaConsumer<String, byte[]> c = consumer;
        try (c) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.AGENT_EVENTS, Topics.ROUTING_EVENTS)) {
                List<PartitionInfo> infos = null;
                while (!stopping && (infos == null || infos.isEmpty())) {
                    try {
                        infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                    } catch (org.apache.kafka.common.errors.TimeoutException e) {
                        LOG.debugf("agent feed: %s not readable yet: %s", topic, e.toString());
                    }
                }
                if (infos != null) {
                    infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
                }
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, not at the first poll
            reading = true;
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (!subscribers.isEmpty()) {
                        deliver(r);
                    }
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.errorf(e, "agent feed stopped reading");
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> r) {
        Header type = r.headers().lastHeader(CloudEventsKafka.TYPE);
        if (type == null) {
            return;
        }
        String t = new String(type.value(), StandardCharsets.UTF_8);
        try {
            if (AgentStateChanged.TYPE.equals(t)) {
                if (subscribers.containsKey(r.key())) {
                    EventEnvelope e = CloudEventsKafka.read(r);
                    broadcast(r.key(), "state", Json.read(e.data(), AgentStateChanged.class));
                }
            } else if (AgentOffered.TYPE.equals(t)) {
                AgentOffered o = Json.read(CloudEventsKafka.read(r).data(), AgentOffered.class);
                if (o.agentId() != null && subscribers.containsKey(o.agentId())) {
                    broadcast(o.agentId(), "screen-pop", new ScreenPop(o.callId(), o.callerNumber(), o.calledNumber(),
                            o.skillGroup(), o.waitMillis(), o.variables(), o.keyTrail()));
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("agent feed: %s at %s-%d@%d not readable: %s", t, r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    private void broadcast(String agentId, String name, Object data) {
        List<Subscriber> list = subscribers.get(agentId);
        if (list != null) {
            list.forEach(s -> send(agentId, s, name, data));
        }
    }

    private void send(String agentId, Subscriber s, String name, Object data) {
        if (s.sink().isClosed()) {
            drop(agentId, s);
            return;
        }
        OutboundSseEvent event = s.sse().newEventBuilder().name(name).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(new String(Json.write(data), StandardCharsets.UTF_8)).build();
        s.sink().send(event).whenComplete((ok, e) -> {
            if (e != null) {
                drop(agentId, s);
            }
        });
    }

    private void heartbeat() {
        subscribers.forEach((agentId, list) -> list.forEach(s -> {
            if (s.sink().isClosed()) {
                drop(agentId, s);
            } else {
                s.sink().send(s.sse().newEventBuilder().comment("keep-alive").build()).whenComplete((ok, e) -> {
                    if (e != null) {
                        drop(agentId, s);
                    }
                });
            }
        }));
    }

    private void drop(String agentId, Subscriber s) {
        subscribers.computeIfPresent(agentId, (k, list) -> {
            list.remove(s);
            return list.isEmpty() ? null : list;
        });
    }
}
