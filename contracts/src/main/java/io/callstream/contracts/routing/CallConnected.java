package io.callstream.contracts.routing;

/** The agent answered and is connected with the caller; {@code waitMillis} runs from queueing to the answer. */
public record CallConnected(String callId, String skillGroup, String agentId, long waitMillis)
        implements RoutingEvent {
    public static final String TYPE = "io.callstream.routing.call-connected";
}
