package io.callstream.agent.messaging;

import io.callstream.agent.state.AgentSnapshot;
import io.callstream.agent.state.AgentStates;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.AgentViewRequested;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.servicekit.consumer.EventStreams;
import io.callstream.servicekit.consumer.IncomingEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Set;

/**
 * Routing's offers, misses and connections, and the gateway's ends of calls, move agents between
 * states; routing's request for its view of agents is answered with all of them ({@link AgentSnapshot}).
 * Each event once, in its own transaction (servicekit {@link EventStreams}); the many other call
 * events are passed over without one.
 */
@ApplicationScoped
public class CallEventsConsumer {
    static final Set<String> TYPES = Set.of(AgentOffered.TYPE, AgentMissed.TYPE, CallConnected.TYPE,
            BridgeEnded.TYPE, CallEnded.TYPE, AgentViewRequested.TYPE);

    private final EventStreams streams;
    private final AgentStates states;
    private final AgentSnapshot snapshot;

    CallEventsConsumer(EventStreams streams, AgentStates states, AgentSnapshot snapshot) {
        this.streams = streams;
        this.states = states;
        this.snapshot = snapshot;
    }

    void start(@Observes StartupEvent ignored) {
        streams.start("agent-states", "agent-service", List.of(Topics.ROUTING_EVENTS, Topics.CALL_EVENTS), 1,
                TYPES::contains, this::handle);
    }

    void handle(IncomingEvent event) {
        switch (event.type()) {
            case AgentOffered.TYPE -> {
                AgentOffered e = event.data(AgentOffered.class);
                states.offered(e.agentId(), e.callId(), e.skillGroup());
            }
            case AgentMissed.TYPE -> {
                AgentMissed e = event.data(AgentMissed.class);
                states.missed(e.agentId(), e.callId());
            }
            case CallConnected.TYPE -> {
                CallConnected e = event.data(CallConnected.class);
                states.connected(e.agentId(), e.callId(), e.skillGroup());
            }
            case BridgeEnded.TYPE -> {
                BridgeEnded e = event.data(BridgeEnded.class);
                if (e.agentId() != null) {
                    states.callEnded(e.agentId(), e.callId());
                }
            }
            case CallEnded.TYPE -> states.callEnded(null, event.data(CallEnded.class).callId());
            case AgentViewRequested.TYPE -> snapshot.publishAll(event.data(AgentViewRequested.class).requestedBy());
            default -> {
            }
        }
    }
}
