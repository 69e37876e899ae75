package io.callstream.contracts.ivr;

import java.util.List;
import java.util.Map;

/**
 * The IVR session is over; {@code variables} are the session's variables at the end, {@code keyTrail}
 * every key the caller pressed (added later: null in events written before it existed).
 */
public record IvrSessionEnded(String callId, String sessionId, SessionOutcome outcome, String lastNodeId,
                              Map<String, String> variables, List<KeyPress> keyTrail) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.session-ended";
}
