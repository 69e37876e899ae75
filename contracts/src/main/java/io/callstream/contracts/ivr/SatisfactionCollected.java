package io.callstream.contracts.ivr;

/** The caller answered (or left) the satisfaction survey; {@code noInput} when no key was pressed. */
public record SatisfactionCollected(String callId, String sessionId, String key, String label, String agentId,
                                    String skillGroup, boolean noInput) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.satisfaction-collected";
}
