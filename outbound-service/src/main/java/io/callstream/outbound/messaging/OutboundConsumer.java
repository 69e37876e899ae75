package io.callstream.outbound.messaging;

import io.callstream.contracts.Topics;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.OriginateFailed;
import io.callstream.contracts.ivr.FlowChanged;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.outbound.config.OutboundConfig;
import io.callstream.outbound.service.Attempts;
import io.callstream.outbound.service.FlowCatalog;
import io.callstream.servicekit.consumer.EventStreams;
import io.callstream.servicekit.consumer.IncomingEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The gateway's answers to originates and the ends of calls, the IVR's session results and its flow
 * announcements: each event once, in its own transaction (servicekit {@link EventStreams}, group
 * {@code outbound-service}); other types of those topics are passed over.
 */
@ApplicationScoped
public class OutboundConsumer {
    static final Set<String> TYPES = Set.of(OriginateFailed.TYPE, CallStarted.TYPE, CallEnded.TYPE,
            IvrSessionEnded.TYPE, FlowChanged.TYPE);

    private final EventStreams streams;
    private final Attempts attempts;
    private final FlowCatalog flows;
    private final OutboundConfig config;

    OutboundConsumer(EventStreams streams, Attempts attempts, FlowCatalog flows, OutboundConfig config) {
        this.streams = streams;
        this.attempts = attempts;
        this.flows = flows;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        streams.start("outbound", "outbound-service", List.of(Topics.CALL_EVENTS, Topics.IVR_EVENTS),
                config.consumerThreads(), TYPES::contains, this::handle);
    }

    void handle(IncomingEvent event) {
        Instant now = Instant.now();
        switch (event.type()) {
            case OriginateFailed.TYPE -> attempts.originateFailed(event.data(OriginateFailed.class), now);
            case CallStarted.TYPE -> attempts.callStarted(event.data(CallStarted.class), now);
            case CallEnded.TYPE -> attempts.callEnded(event.data(CallEnded.class), now);
            case IvrSessionEnded.TYPE -> attempts.sessionEnded(event.data(IvrSessionEnded.class), now);
            case FlowChanged.TYPE -> flows.flowChanged(event.data(FlowChanged.class));
            default -> {
            }
        }
    }
}
