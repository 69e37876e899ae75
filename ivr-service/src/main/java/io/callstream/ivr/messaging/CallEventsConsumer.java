package io.callstream.ivr.messaging;

import io.callstream.ivr.engine.IvrEngine;
import io.callstream.servicekit.consumer.IdempotentConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Call and routing events drive the IVR sessions: each is processed once, in its own transaction, in call order. */
@ApplicationScoped
public class CallEventsConsumer {
    private final IdempotentConsumer consumer;
    private final IvrEngine engine;

    CallEventsConsumer(IdempotentConsumer consumer, IvrEngine engine) {
        this.consumer = consumer;
        this.engine = engine;
    }

    @Incoming("call-events")
    @Blocking(ordered = true)
    public void on(ConsumerRecord<String, byte[]> record) {
        consumer.process("ivr-engine", record, engine::handle);
    }

    /** Routing's answers to transfer requests (queued, connected, out of the queue). */
    @Incoming("routing-events")
    @Blocking(ordered = true)
    public void onRouting(ConsumerRecord<String, byte[]> record) {
        consumer.process("ivr-engine-routing", record, engine::handle);
    }
}
