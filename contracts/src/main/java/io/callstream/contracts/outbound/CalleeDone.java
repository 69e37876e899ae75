package io.callstream.contracts.outbound;

/** A callee reached a final state: answered, not answered after every try, or blocked. */
public record CalleeDone(String taskId, String calleeId, String calleeNumber, CalleeState state, int tries,
                         AttemptOutcome lastOutcome) implements OutboundEvent {
    public static final String TYPE = "io.callstream.outbound.callee-done";
}
