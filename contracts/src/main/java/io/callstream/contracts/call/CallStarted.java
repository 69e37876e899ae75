package io.callstream.contracts.call;

import java.util.Map;

/**
 * The switch handed a call to the gateway. For outbound calls {@code attemptId} names the outbound
 * attempt and {@code variables} are the channel variables the originate carried.
 */
public record CallStarted(String callId, CallDirection direction, String from, String to, String channel,
                          String uniqueId, String gatewayReplica, String attemptId,
                          Map<String, String> variables) implements CallEvent {
    public static final String TYPE = "io.callstream.call.started";
}
