package io.callstream.contracts.routing;

import io.callstream.contracts.ivr.KeyPress;

import java.util.List;
import java.util.Map;

/** The call is offered to an agent, whose phone rings; the screen pop shows the numbers, variables and key trail. */
public record AgentOffered(String callId, String skillGroup, String agentId, String callerNumber,
                           String calledNumber, long waitMillis, Map<String, String> variables,
                           List<KeyPress> keyTrail) implements RoutingEvent {
    public static final String TYPE = "io.callstream.routing.agent-offered";
}
