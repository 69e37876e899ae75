package io.callstream.contracts.ivr;

/** A call reached a number bound to no flow; it heard the default message and was hung up. */
public record UnboundNumberCalled(String callId, String callerNumber, String calledNumber) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.unbound-number-called";
}
