package io.callstream.routing.messaging;

import io.callstream.contracts.Topics;
import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.agent.SkillGroupChanged;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.routing.agents.AgentViews;
import io.callstream.routing.config.RoutingConfig;
import io.callstream.routing.queue.Queues;
import io.callstream.servicekit.consumer.EventHandler;
import io.callstream.servicekit.consumer.EventStreams;
import io.callstream.servicekit.consumer.IncomingEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Set;

/**
 * Transfer requests from the IVR, the gateway's answers to connect-agent commands and ends of calls,
 * and agent-service's agents and groups: each event once (servicekit {@link EventStreams}, group
 * {@code routing-service}; transfers on threads of their own, {@link #TRANSFERS}, the rest in the
 * {@link #ORDER} below); the other types of those topics are passed over.
 */
@ApplicationScoped
public class RoutingConsumer {
    static final Set<String> TYPES = Set.of(TransferRequested.TYPE, AgentConnected.TYPE, DialFailed.TYPE,
            BridgeEnded.TYPE, CallEnded.TYPE, AgentStateChanged.TYPE, AgentProfileChanged.TYPE, SkillGroupChanged.TYPE);
    /** The call events whose first statement locks their call's queue entry (locked ahead: {@link #prefetchLocks}). */
    private static final Set<String> ENTRY_FIRST = Set.of(AgentConnected.TYPE, DialFailed.TYPE, BridgeEnded.TYPE, CallEnded.TYPE);

    /**
     * The transfer requests, on threads of their own ({@code callstream.routing.transfer-threads}): a
     * caller's request waits only behind other callers' requests, not behind the call ends and agent
     * states of the other threads. Each has a transaction of its own.
     */
    static final EventStreams.Order TRANSFERS = new EventStreams.Order(TransferRequested.TYPE::equals, type -> false,
            type -> false);

    /**
     * The call and agent events. A poll's consecutive call events and agent states share transactions
     * ({@code callstream.consumer.batch-size} at most): each transaction locks all the queue entries and
     * agents it will wait for up front, in one order ({@link #prefetchLocks}), so two of them cannot
     * deadlock (batched without that order, they did under load: docs/benchmarks.md). Profile and group
     * changes have a transaction each.
     */
    static final EventStreams.Order ORDER = new EventStreams.Order(type -> TYPES.contains(type) && !TransferRequested.TYPE.equals(type),
            type -> false, type -> AgentStateChanged.TYPE.equals(type) || ENTRY_FIRST.contains(type));

    private final EventStreams streams;
    private final Queues queues;
    private final AgentViews agents;
    private final RoutingConfig config;

    RoutingConsumer(EventStreams streams, Queues queues, AgentViews agents, RoutingConfig config) {
        this.streams = streams;
        this.queues = queues;
        this.agents = agents;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        EventHandler handler = new EventHandler() {
            @Override
            public void accept(IncomingEvent event) {
                handle(event);
            }

            @Override
            public Prefetch prefetch(List<IncomingEvent> events) {
                return prefetchLocks(events);
            }
        };
        // one consumer group with two subscriptions (the round-robin assignor gives each topic's partitions to
        // the members subscribed to it), one stream name: the events' processed ids stay under one consumer
        streams.start("routing", "routing-service", List.of(Topics.IVR_EVENTS), config.transferThreads(), TRANSFERS, handler);
        streams.start("routing", "routing-service", List.of(Topics.CALL_EVENTS, Topics.AGENT_EVENTS), config.consumerThreads(),
                ORDER, handler);
    }

    /**
     * The rows a transaction of these events waits for, locked in the round trip of the processed-event
     * insert and in one order: the call events' queue entries, then the agents (the agent states' own,
     * the entries' offered and connected ones). A transfer (a transaction of its own) reads what decides
     * it, and queues it when it may be, instead ({@link Queues#prefetchTransfer}); profile changes read nothing ahead.
     */
    EventHandler.Prefetch prefetchLocks(List<IncomingEvent> events) {
        if (events.size() == 1 && TransferRequested.TYPE.equals(events.get(0).type())) {
            try {
                return queues.prefetchTransfer(events.get(0).data(TransferRequested.class));
            } catch (io.callstream.contracts.cloudevents.MalformedEventException unreadable) {
                return null; // refused when applied, as any unreadable event (dead letter)
            }
        }
        List<String> calls = new java.util.ArrayList<>();
        List<String> agentIds = new java.util.ArrayList<>();
        for (IncomingEvent e : events) {
            if (ENTRY_FIRST.contains(e.type())) {
                calls.add(e.subject()); // call events are keyed, and their subject is, by call id
            } else if (AgentStateChanged.TYPE.equals(e.type())) {
                agentIds.add(e.subject()); // and agent events by agent id
            }
        }
        return calls.isEmpty() && agentIds.isEmpty() ? null : queues.prefetchLocks(calls, agentIds);
    }

    void handle(IncomingEvent event) {
        try {
            apply(event);
        } finally {
            queues.afterEvent(); // which prefetched entries the transaction's next events may still use
        }
    }

    private void apply(IncomingEvent event) {
        switch (event.type()) {
            case TransferRequested.TYPE -> queues.transferRequested(event.data(TransferRequested.class));
            case AgentConnected.TYPE -> queues.agentConnected(event.data(AgentConnected.class));
            case DialFailed.TYPE -> queues.dialFailed(event.data(DialFailed.class));
            case BridgeEnded.TYPE -> queues.bridgeEnded(event.data(BridgeEnded.class));
            case CallEnded.TYPE -> queues.callEnded(event.data(CallEnded.class).callId());
            case AgentStateChanged.TYPE -> agents.stateChanged(event.data(AgentStateChanged.class)).forEach(queues::assign);
            case AgentProfileChanged.TYPE -> agents.profileChanged(event.data(AgentProfileChanged.class)).forEach(queues::assign);
            case SkillGroupChanged.TYPE -> agents.skillGroupChanged(event.data(SkillGroupChanged.class)).forEach(queues::assign);
            default -> {
            }
        }
    }
}
