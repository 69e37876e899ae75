package io.callstream.ivr.engine;

import io.callstream.contracts.call.CallDirection;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a session carries from step to step; stored as JSON in {@code ivr_session.state}. */
public final class SessionState {
    public CallDirection direction;
    public String callerNumber;
    public String calledNumber;
    public String attemptId;
    public String flowName;
    /** Call, outbound and node variables by name (system variables are computed, not stored). */
    public Map<String, String> variables = new LinkedHashMap<>();
    /** Errors (no input or wrong input) at the current node. */
    public int errors;
    /** Where in the current node the session is (see IvrEngine), e.g. "collect", "retry", "dial". */
    public String phase;
    /** How many key presses the session has in {@code ivr_key_press} (the trail itself lives there). */
    public int trailLength;
    /** The flow itself ended the call (End, a hang-up after max errors): CallEnded then means completed. */
    public boolean endedByFlow;
    /** When the caller was put in the current queue (for sys.queueWaitSeconds); null outside a queue. */
    public java.time.Instant queuedAt;
    /** Why the session failed, when it did. */
    public String failure;
}
