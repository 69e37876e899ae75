package io.callstream.contracts.routing;

/** The caller left the queue without an agent, for {@code reason}, after {@code waitMillis} in the queue. */
public record QueueExited(String callId, String skillGroup, QueueExitReason reason, long waitMillis)
        implements RoutingEvent {
    public static final String TYPE = "io.callstream.routing.queue-exited";
}
