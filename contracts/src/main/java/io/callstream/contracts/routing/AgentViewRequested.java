package io.callstream.contracts.routing;

import java.time.Instant;

/**
 * routing-service asks agent-service to publish every skill group, agent profile and agent state again
 * (its view of them is rebuilt from {@code callstream.agent.events}, which keeps only days of events):
 * when its database is new, or when an admin asks for a resync. Key: {@link #KEY}, not a call id.
 */
public record AgentViewRequested(String requestedBy, Instant requestedAt) {
    public static final String TYPE = "io.callstream.routing.agent-view-requested";
    /** The Kafka key (and ce_subject) of every request: they are about routing's view, not a call. */
    public static final String KEY = "agent-view";
}
