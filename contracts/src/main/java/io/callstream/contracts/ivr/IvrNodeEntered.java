package io.callstream.contracts.ivr;

import java.time.Instant;

/** The session entered a node of its flow at {@code at}; {@code label} is the node's label, if any. */
public record IvrNodeEntered(String callId, String sessionId, String nodeId, String nodeType, String label,
                             Instant at) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.node-entered";
}
