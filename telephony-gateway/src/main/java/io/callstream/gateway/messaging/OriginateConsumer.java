package io.callstream.gateway.messaging;

import io.callstream.contracts.call.Originate;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.gateway.ami.AmiClient;
import io.callstream.servicekit.consumer.IdempotentConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Originates run on exactly one replica: this channel's consumer group is shared by all replicas, so
 * Kafka gives each partition to one of them. The command id is recorded as processed and committed
 * before the Originate goes to the switch: after a crash in between, the attempt is lost (the outbound
 * service times it out and retries) rather than the callee being dialled twice.
 */
@ApplicationScoped
public class OriginateConsumer {
    private final IdempotentConsumer consumer;
    private final AmiClient ami;

    OriginateConsumer(IdempotentConsumer consumer, AmiClient ami) {
        this.consumer = consumer;
        this.ami = ami;
    }

    @Incoming("originate-commands")
    @Blocking(ordered = true)
    public void on(ConsumerRecord<String, byte[]> record) {
        var type = record.headers().lastHeader(CloudEventsKafka.TYPE);
        if (type == null || !Originate.TYPE.equals(new String(type.value(), StandardCharsets.UTF_8))) {
            return; // every other command is for the replica that holds the call
        }
        AtomicReference<Originate> toSend = new AtomicReference<>();
        consumer.process("originate", record, event -> toSend.set(event.data(Originate.class)));
        if (toSend.get() != null) {
            ami.originate(toSend.get());
        }
    }
}
