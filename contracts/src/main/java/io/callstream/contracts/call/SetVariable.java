package io.callstream.contracts.call;

/** Set a channel variable on the call. */
public record SetVariable(String commandId, String callId, String name, String value) implements CallCommand {
    public static final String TYPE = "io.callstream.call.set-variable";
}
