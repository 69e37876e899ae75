package io.callstream.gateway.messaging;

import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.CallEvent;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.servicekit.config.KafkaClientProperties;
import io.callstream.servicekit.config.ServicekitConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Sends call events straight to Kafka through one idempotent producer ({@code acks=all}), so the
 * events of a call keep their order. The gateway deliberately does not use the outbox: its only state
 * is the live AGI sockets, which die with the process; the call registry
 * ({@link io.callstream.gateway.domain.CallRegistry}) makes sure a call whose replica died still gets
 * its CallEnded. See docs/architecture.md.
 */
@ApplicationScoped
public class CallEventPublisher {
    private static final Logger LOG = Logger.getLogger(CallEventPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String source;
    private final Timer handOff;

    CallEventPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                       ServicekitConfig config, MeterRegistry registry) {
        Map<String, Object> props = new HashMap<>(KafkaClientProperties.fromConfig(ProducerConfig.configNames()));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "gateway-call-events");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.source = config.events().source();
        this.handOff = Timer.builder("callstream.gateway.event.handoff")
                .description("from deciding an event to handing it to the Kafka producer")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Publishes a call event keyed by its call id; failures are logged (the producer retries by itself). */
    public void publish(CallEvent event) {
        long start = System.nanoTime();
        EventEnvelope envelope = new EventEnvelope(UUID.randomUUID().toString(), EventCatalog.of(event.getClass()).type(),
                source, Instant.now(), event.callId(), Json.write(event));
        producer.send(CloudEventsKafka.toRecord(Topics.CALL_EVENTS, envelope), (metadata, error) -> {
            if (error != null) {
                LOG.errorf("call %s: %s not sent: %s", event.callId(), envelope.type(), error.toString());
            }
        });
        handOff.record(Duration.ofNanos(System.nanoTime() - start));
    }

    void close(@Observes ShutdownEvent ignored) {
        producer.close(Duration.ofSeconds(5));
    }
}
