package io.callstream.contracts.call;

/** End the call; {@code cause} is the Q.850 cause to report (16 when absent). */
public record HangUp(String commandId, String callId, Integer cause) implements CallCommand {
    public static final String TYPE = "io.callstream.call.hang-up";
}
