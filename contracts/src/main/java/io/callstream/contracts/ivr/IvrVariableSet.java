package io.callstream.contracts.ivr;

/** A node set a session variable; {@code value} may be empty but is never absent. */
public record IvrVariableSet(String callId, String sessionId, String nodeId, String name, String value)
        implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.variable-set";
}
