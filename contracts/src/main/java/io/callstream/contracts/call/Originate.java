package io.callstream.contracts.call;

import java.util.Map;

/**
 * Place an outbound call. The gateway uses {@code attemptId} as the channel id and passes
 * {@code variables} as channel variables; the answered leg arrives as a {@link CallStarted} with
 * this {@code callId}.
 */
public record Originate(String commandId, String callId, String attemptId, String callerNumber,
                        String calleeNumber, int ringTimeoutSeconds, Map<String, String> variables)
        implements CallCommand {
    public static final String TYPE = "io.callstream.call.originate";
}
