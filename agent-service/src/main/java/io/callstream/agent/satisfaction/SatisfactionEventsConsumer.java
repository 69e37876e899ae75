package io.callstream.agent.satisfaction;

import io.callstream.contracts.Topics;
import io.callstream.contracts.cloudevents.MalformedEventException;
import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.servicekit.consumer.EventStreams;
import io.callstream.servicekit.consumer.IncomingEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.List;

/**
 * The IVR's survey results become satisfaction records: each {@code satisfaction-collected} event once,
 * in its own transaction with its processed-event row (servicekit {@link EventStreams}). A stream and
 * consumer group of its own, so a backlog of state events never delays the records, nor the reverse;
 * the IVR's many other event types are passed over without a transaction.
 */
@ApplicationScoped
public class SatisfactionEventsConsumer {
    static final String STREAM = "agent-satisfaction";
    static final String GROUP = "agent-service-satisfaction";

    private final EventStreams streams;
    private final SatisfactionRecords records;

    SatisfactionEventsConsumer(EventStreams streams, SatisfactionRecords records) {
        this.streams = streams;
        this.records = records;
    }

    void start(@Observes StartupEvent ignored) {
        streams.start(STREAM, GROUP, List.of(Topics.IVR_EVENTS), 1, SatisfactionCollected.TYPE::equals, this::handle);
    }

    void handle(IncomingEvent event) {
        if (!SatisfactionCollected.TYPE.equals(event.type())) {
            return;
        }
        SatisfactionCollected survey = event.data(SatisfactionCollected.class);
        String callId = survey.callId() != null && !survey.callId().isBlank() ? survey.callId() : event.subject();
        if (callId == null || callId.isBlank()) {
            throw new MalformedEventException(event.type() + " " + event.id() + " names no call");
        }
        // the CloudEvent's time is when the IVR took the answer; a redelivery or a late consumer keeps it
        Instant at = event.envelope().time() != null ? event.envelope().time() : Instant.now();
        records.collected(callId, survey, at);
    }
}
