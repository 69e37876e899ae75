package io.callstream.contracts.call;

public record StopHold(String commandId, String callId) implements CallCommand {
    public static final String TYPE = "io.callstream.call.stop-hold";
}
