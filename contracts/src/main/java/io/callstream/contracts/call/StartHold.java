package io.callstream.contracts.call;

/** Start music on hold without blocking the call's control channel. */
public record StartHold(String commandId, String callId, String musicClass) implements CallCommand {
    public static final String TYPE = "io.callstream.call.start-hold";
}
