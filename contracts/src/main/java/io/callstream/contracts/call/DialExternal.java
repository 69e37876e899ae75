package io.callstream.contracts.call;

/** Dial an outside number showing {@code callerId} (one of the platform's numbers) and bridge it. */
public record DialExternal(String commandId, String callId, String number, String callerId,
                           int ringTimeoutSeconds) implements CallCommand {
    public static final String TYPE = "io.callstream.call.dial-external";
}
