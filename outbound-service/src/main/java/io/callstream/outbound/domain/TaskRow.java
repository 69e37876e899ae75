package io.callstream.outbound.domain;

import io.callstream.contracts.outbound.AttemptOutcome;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.servicekit.tx.Columns;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** One {@code outbound_task} row as the dialer and the API read it ({@link #COLUMNS} in this order). */
public record TaskRow(UUID id, String name, String description, UUID flowId, TaskState state, String stateReason,
                      boolean closedEarly, List<String> callerNumbers, int nextCaller, Instant notBefore,
                      Instant notAfter, CallWindows windows, int maxTries, int retryIntervalSeconds,
                      Set<AttemptOutcome> retryOn, int maxRingSeconds, int maxConcurrentCalls, double maxCallsPerSecond,
                      String callbackUrl, String callbackSecret, String createdBy, long calleeCount, Instant nextDialAt,
                      Instant createdAt, Instant updatedAt, Instant endedAt) {

    public static final String COLUMNS = "id, name, description, flow_id, state, state_reason, closed_early, "
            + "caller_numbers, next_caller, not_before, not_after, time_zone, weekdays, windows, max_tries, "
            + "retry_interval_s, retry_on, max_ring_s, max_concurrent, max_per_second, callback_url, callback_secret, "
            + "created_by, callee_count, next_dial_at, created_at, updated_at, ended_at";

    public static TaskRow of(Object[] r) {
        return new TaskRow((UUID) r[0], (String) r[1], (String) r[2], (UUID) r[3], TaskState.valueOf((String) r[4]),
                (String) r[5], (Boolean) r[6], Arrays.asList(((String) r[7]).split(",")), ((Number) r[8]).intValue(),
                Columns.instant(r[9]), Columns.instant(r[10]),
                CallWindows.parse((String) r[11], (String) r[12], (String) r[13]), ((Number) r[14]).intValue(),
                ((Number) r[15]).intValue(), outcomes((String) r[16]), ((Number) r[17]).intValue(),
                ((Number) r[18]).intValue(), ((Number) r[19]).doubleValue(), (String) r[20], (String) r[21],
                (String) r[22], ((Number) r[23]).longValue(), Columns.instant(r[24]), Columns.instant(r[25]),
                Columns.instant(r[26]), Columns.instant(r[27]));
    }

    public static Set<AttemptOutcome> outcomes(String text) {
        Set<AttemptOutcome> out = EnumSet.noneOf(AttemptOutcome.class);
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(AttemptOutcome.valueOf(s.trim()));
            }
        }
        return out;
    }
}
