package io.callstream.outbound.rest;

import io.callstream.outbound.domain.CallWindows;
import io.callstream.outbound.domain.TaskRow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A task as the API shows it (never its callback secret); {@code callees} counts callees by state. */
public record TaskView(String id, String name, String description, String flowId, String state, String stateReason,
                       List<String> callerNumbers, Instant notBefore, Instant notAfter, String timeZone,
                       List<String> weekdays, List<TaskRequest.WindowInput> windows, int maxTries,
                       int retryIntervalSeconds, List<String> retryOn, int maxRingSeconds, int maxConcurrentCalls,
                       double maxCallsPerSecond, String callbackUrl, String createdBy, Instant createdAt,
                       Instant updatedAt, Instant endedAt, long calleeCount, Map<String, Long> callees,
                       Long callsInProgress) {

    public static TaskView of(TaskRow t, Map<String, Long> counts, Long inProgress) {
        return new TaskView(t.id().toString(), t.name(), t.description(), t.flowId().toString(), t.state().name(),
                t.stateReason(), t.callerNumbers(), t.notBefore(), t.notAfter(), t.windows().zone().getId(),
                t.windows().weekdays().stream().map(d -> d.name().substring(0, 3)).toList(),
                t.windows().windows().stream().map(TaskView::window).toList(), t.maxTries(), t.retryIntervalSeconds(),
                t.retryOn().stream().map(Enum::name).toList(), t.maxRingSeconds(), t.maxConcurrentCalls(),
                t.maxCallsPerSecond(), t.callbackUrl(), t.createdBy(), t.createdAt(), t.updatedAt(), t.endedAt(),
                t.calleeCount(), counts, inProgress);
    }

    private static TaskRequest.WindowInput window(CallWindows.Window w) {
        String[] se = w.toString().split("-");
        return new TaskRequest.WindowInput(se[0], se[1]);
    }
}
