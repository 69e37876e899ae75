package io.callstream.contracts.ivr;

/** An input node got the caller's answer; {@code input} is what was keyed or said, absent when nothing was. */
public record IvrInputCollected(String callId, String sessionId, String nodeId, String label, InputKind kind,
                                String input, InputOutcome outcome) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.input-collected";
}
