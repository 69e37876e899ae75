package io.callstream.contracts.ivr;

import java.util.Map;

/** The IVR session is over; {@code variables} are the session's variables at the end. */
public record IvrSessionEnded(String callId, String sessionId, SessionOutcome outcome, String lastNodeId,
                              Map<String, String> variables) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.session-ended";
}
