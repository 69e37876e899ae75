package io.callstream.contracts.routing;

/** The offered agent did not take the call, for {@code reason}; agent-service counts it as a miss. */
public record AgentMissed(String callId, String skillGroup, String agentId, MissReason reason)
        implements RoutingEvent {
    public static final String TYPE = "io.callstream.routing.agent-missed";
}
