package io.callstream.outbound.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a business system posts to create an automatic outbound task (the fields of TCCC's
 * CreateAutoCalloutTask, and more). Absent optional fields take the defaults docs/outbound.md lists.
 */
public record TaskRequest(String name, String description, String flowId, List<String> callerNumbers,
                          List<CalleeInput> callees, Instant notBefore, Instant notAfter, Integer maxTries,
                          Integer retryIntervalSeconds, List<String> retryOn, String timeZone, List<String> weekdays,
                          List<WindowInput> windows, Integer maxRingSeconds, Integer maxConcurrentCalls,
                          Double maxCallsPerSecond, String callbackUrl, String callbackSecret) {

    /** One person to call: the number, the variables the flow reads as {@code ${name}}, and user-to-user data. */
    public record CalleeInput(String number, Map<String, String> variables, String uui) {
    }

    /** A daily window of local time, {@code HH:mm} to {@code HH:mm} (24:00 allowed; an end before the start crosses midnight). */
    public record WindowInput(String start, String end) {
    }
}
