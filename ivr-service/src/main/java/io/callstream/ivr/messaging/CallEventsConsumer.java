package io.callstream.ivr.messaging;

import io.callstream.contracts.Topics;
import io.callstream.contracts.call.CallStarted;
import io.callstream.ivr.engine.IvrEngine;
import io.callstream.ivr.records.CallRecords;
import io.callstream.servicekit.consumer.EventHandler;
import io.callstream.servicekit.consumer.IncomingEvent;
import io.callstream.servicekit.consumer.EventStreams;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * Call and routing events drive the IVR sessions: each is processed once, in its own transaction, in
 * order per partition (so per call), on servicekit's {@link EventStreams} — two consumer threads in the
 * {@code ivr-service} group rather than a messaging channel, which took one record at a time with a
 * worker-thread hop each.
 */
@ApplicationScoped
public class CallEventsConsumer {
    private final EventStreams streams;
    private final IvrEngine engine;
    private final CallRecords records;
    private final int threads;

    CallEventsConsumer(EventStreams streams, IvrEngine engine, CallRecords records,
                       @org.eclipse.microprofile.config.inject.ConfigProperty(name = "callstream.ivr.consumer-threads",
                               defaultValue = "2") int threads) {
        this.streams = streams;
        this.engine = engine;
        this.records = records;
        this.threads = threads;
    }

    /** The step time (event taken off Kafka → step committed) is servicekit's {@code callstream.events.process{stream="ivr-engine"}}. */
    void start(@Observes StartupEvent ignored) {
        streams.start("ivr-engine", "ivr-service", List.of(Topics.CALL_EVENTS, Topics.ROUTING_EVENTS), threads, new EventHandler() {
            @Override
            public void accept(IncomingEvent event) {
                handle(event);
            }

            @Override
            public Prefetch prefetch(List<IncomingEvent> events) {
                return engine.prefetch(events); // the calls' sessions, in the processed-event insert's round trip
            }
        });
    }

    /**
     * One event, in its transaction: the call record opens before the engine runs (its session events
     * then find it) and takes every other event after it (the session's end is in before the call's).
     */
    void handle(IncomingEvent event) {
        boolean start = CallStarted.TYPE.equals(event.type());
        if (start) {
            records.on(event);
        }
        engine.handle(event);
        if (!start) {
            records.on(event);
        }
    }
}
