package io.callstream.contracts.ivr;

import io.callstream.contracts.call.CallDirection;

/** The IVR started running a flow version for a call; {@code attemptId} is set for outbound calls. */
public record IvrSessionStarted(String callId, String sessionId, String flowId, String flowName, int flowVersion,
                                CallDirection direction, String callerNumber, String calledNumber,
                                String attemptId) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.session-started";
}
