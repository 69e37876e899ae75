package io.callstream.contracts.ivr;

import java.util.List;
import java.util.Map;

/** The flow asks routing-service to queue the caller for {@code skillGroup}, with screen-pop variables. */
public record TransferRequested(String callId, String sessionId, String nodeId, String skillGroup, int priority,
                                int queueTimeoutSeconds, Integer maxQueueLength, String holdMusic,
                                String callerNumber, String calledNumber, Map<String, String> variables,
                                List<KeyPress> keyTrail) implements IvrEvent {
    public static final String TYPE = "io.callstream.ivr.transfer-requested";
}
