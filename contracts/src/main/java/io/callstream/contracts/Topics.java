package io.callstream.contracts;

import java.util.List;

/** Kafka topic names shared by every service. See docs/events.md for keys and types. */
public final class Topics {
    /** Key: call id. Published by telephony-gateway. */
    public static final String CALL_EVENTS = "callstream.call.events";
    /** Key: call id. Consumed by every telephony-gateway replica; each acts only on calls it holds. */
    public static final String CALL_COMMANDS = "callstream.call.commands";
    /** Key: call id. */
    public static final String IVR_EVENTS = "callstream.ivr.events";
    /** Key: call id. */
    public static final String ROUTING_EVENTS = "callstream.routing.events";
    /** Key: agent id. */
    public static final String AGENT_EVENTS = "callstream.agent.events";
    /** Key: task id. */
    public static final String OUTBOUND_EVENTS = "callstream.outbound.events";

    public static final List<String> ALL = List.of(
            CALL_EVENTS, CALL_COMMANDS, IVR_EVENTS, ROUTING_EVENTS, AGENT_EVENTS, OUTBOUND_EVENTS);

    /** The services, by the name each runs under ({@code quarkus.application.name}). */
    public static final List<String> SERVICES = List.of(
            "telephony-gateway", "ivr-service", "routing-service", "agent-service", "outbound-service");

    /** Where a service parks the messages it cannot parse or keeps failing on. */
    public static String deadLetter(String service) {
        return "callstream.dlq." + service;
    }

    private Topics() {
    }
}
