package io.callstream.contracts.call;

/**
 * The call is over; published exactly once per call. {@code cause} is the Q.850 hang-up cause the
 * switch reported (16 normal clearing, 17 busy, …).
 */
public record CallEnded(String callId, int cause, String causeText, HangupParty hungUpBy)
        implements CallEvent {
    public static final String TYPE = "io.callstream.call.ended";
}
