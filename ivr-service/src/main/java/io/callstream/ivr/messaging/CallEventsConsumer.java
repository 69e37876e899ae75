package io.callstream.ivr.messaging;

import io.callstream.ivr.engine.IvrEngine;
import io.callstream.servicekit.consumer.IdempotentConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Call and routing events drive the IVR sessions: each is processed once, in its own transaction, in call order. */
@ApplicationScoped
public class CallEventsConsumer {
    private final IdempotentConsumer consumer;
    private final IvrEngine engine;
    private final Timer step;

    CallEventsConsumer(IdempotentConsumer consumer, IvrEngine engine, MeterRegistry registry) {
        this.consumer = consumer;
        this.engine = engine;
        this.step = Timer.builder("callstream.ivr.step")
                .description("a call event taken off Kafka → the session's step committed (its commands in the outbox)")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    @Incoming("call-events")
    @Blocking(ordered = true)
    public void on(ConsumerRecord<String, byte[]> record) {
        long start = System.nanoTime();
        consumer.process("ivr-engine", record, engine::handle);
        step.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Routing's answers to transfer requests (queued, connected, out of the queue). */
    @Incoming("routing-events")
    @Blocking(ordered = true)
    public void onRouting(ConsumerRecord<String, byte[]> record) {
        consumer.process("ivr-engine-routing", record, engine::handle);
    }
}
