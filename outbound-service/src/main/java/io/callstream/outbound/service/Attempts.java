package io.callstream.outbound.service;

import com.fasterxml.jackson.core.type.TypeReference;
import io.callstream.contracts.Json;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.OriginateFailed;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.ivr.SessionOutcome;
import io.callstream.contracts.outbound.AttemptFinished;
import io.callstream.contracts.outbound.AttemptOutcome;
import io.callstream.contracts.outbound.CalleeDone;
import io.callstream.contracts.outbound.CalleeState;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.outbound.callback.TaskCallbacks;
import io.callstream.outbound.config.OutboundConfig;
import io.callstream.outbound.domain.TaskRow;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.tx.Columns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What becomes of each attempt, from the gateway's and the IVR's events: answered (the call started),
 * busy / no answer / rejected / failed (the originate failed), the call's end, and the flow's result.
 * An answered attempt finishes when both its call and its IVR session are over (the two arrive on
 * different topics, in either order), or {@code session-grace} after the call's end. Finishing an
 * attempt decides the callee's retry or end, and may end the task.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class Attempts {
    private static final TypeReference<Map<String, String>> VARIABLES = new TypeReference<>() { };
    private static final TypeReference<List<KeyPress>> KEYS = new TypeReference<>() { };
    private static final String COLUMNS = "id, task_id, callee_id, try_number, caller_number, callee_number, call_id, "
            + "started_at, answered_at, call_ended_at, ended_at, hangup_cause, session_outcome, session_ended, key_trail, variables";

    /** One attempt row. */
    record Row(UUID id, UUID taskId, long calleeId, int tryNumber, String callerNumber, String calleeNumber,
               String callId, Instant startedAt, Instant answeredAt, Instant callEndedAt, Instant endedAt,
               Integer hangupCause, String sessionOutcome, boolean sessionEnded, String keyTrail, String variables) {
        static Row of(Object[] r) {
            return new Row((UUID) r[0], (UUID) r[1], ((Number) r[2]).longValue(), ((Number) r[3]).intValue(),
                    (String) r[4], (String) r[5], (String) r[6], Columns.instant(r[7]), Columns.instant(r[8]),
                    Columns.instant(r[9]), Columns.instant(r[10]), r[11] == null ? null : ((Number) r[11]).intValue(),
                    (String) r[12], (Boolean) r[13], (String) r[14], (String) r[15]);
        }
    }

    private final EntityManager em;
    private final Outbox outbox;
    private final TaskStates states;
    private final TaskCallbacks callbacks;
    private final OutboundConfig config;

    Attempts(EntityManager em, Outbox outbox, TaskStates states, TaskCallbacks callbacks, OutboundConfig config) {
        this.em = em;
        this.outbox = outbox;
        this.states = states;
        this.callbacks = callbacks;
        this.config = config;
    }

    public void originateFailed(OriginateFailed f, Instant now) {
        Row a = open("id = ?1", attemptId(f.attemptId()));
        if (a == null) {
            return;
        }
        AttemptOutcome outcome = switch (f.reason()) {
            case BUSY -> AttemptOutcome.BUSY;
            case NO_ANSWER -> AttemptOutcome.NO_ANSWER;
            case REJECTED -> AttemptOutcome.REJECTED;
            case CONGESTION, FAILED -> AttemptOutcome.FAILED;
        };
        finish(a, outcome, now);
    }

    public void callStarted(CallStarted c, Instant now) {
        if (c.attemptId() == null) {
            return;
        }
        Row a = open("id = ?1", attemptId(c.attemptId()));
        if (a == null || a.answeredAt() != null) {
            return;
        }
        em.createNativeQuery("UPDATE attempt SET answered_at = ?2, outcome = 'ANSWERED', expires_at = ?3 WHERE id = ?1")
                .setParameter(1, a.id()).setParameter(2, Timestamp.from(now))
                .setParameter(3, Timestamp.from(now.plus(config.maxCallTime()))).executeUpdate();
    }

    public void callEnded(CallEnded e, Instant now) {
        Row a = open("call_id = ?1", e.callId());
        if (a == null) {
            return;
        }
        if (a.answeredAt() == null) {
            // ended without the answer reaching us (per call id the gateway reports in order, so the
            // originate never reached the callee as an answered call)
            finish(a, AttemptOutcome.FAILED, now);
            return;
        }
        em.createNativeQuery("UPDATE attempt SET call_ended_at = ?2, hangup_cause = ?3, expires_at = ?4 WHERE id = ?1")
                .setParameter(1, a.id()).setParameter(2, Timestamp.from(now)).setParameter(3, e.cause())
                .setParameter(4, Timestamp.from(now.plus(config.sessionGrace()))).executeUpdate();
        if (a.sessionEnded()) {
            finish(open("id = ?1", a.id()), AttemptOutcome.ANSWERED, now);
        }
    }

    public void sessionEnded(IvrSessionEnded s, Instant now) {
        Row a = open("call_id = ?1", s.callId());
        if (a == null) {
            return;
        }
        em.createNativeQuery("UPDATE attempt SET session_ended = true, session_outcome = ?2, key_trail = ?3, "
                        + "variables = ?4 WHERE id = ?1")
                .setParameter(1, a.id()).setParameter(2, s.outcome().name())
                .setParameter(3, json(s.keyTrail() == null ? List.of() : s.keyTrail()))
                .setParameter(4, json(s.variables() == null ? Map.of() : s.variables())).executeUpdate();
        if (a.callEndedAt() != null) {
            finish(open("id = ?1", a.id()), AttemptOutcome.ANSWERED, now);
        }
    }

    /**
     * Finishes attempts whose deadline passed: an originate never answered for, or a session that never
     * reported. Each is taken after its task (tasks in id order), as every other transaction does.
     */
    public int expire(int max, Instant now) {
        List<?> due = em.createNativeQuery("SELECT id, task_id FROM attempt WHERE ended_at IS NULL AND expires_at < ?1 "
                        + "ORDER BY task_id, expires_at LIMIT ?2")
                .setParameter(1, Timestamp.from(now)).setParameter(2, max).getResultList();
        for (Object r : due) {
            Object[] d = (Object[]) r;
            states.lock((UUID) d[1]);
            List<?> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM attempt WHERE id = ?1 AND ended_at IS NULL "
                            + "AND expires_at < ?2 FOR UPDATE")
                    .setParameter(1, d[0]).setParameter(2, Timestamp.from(now)).getResultList();
            if (rows.isEmpty()) {
                continue; // an event finished it, or moved its deadline, while this sweep waited for the task
            }
            Row a = Row.of((Object[]) rows.get(0));
            finish(a, a.answeredAt() != null ? AttemptOutcome.ANSWERED : AttemptOutcome.FAILED, now);
        }
        return due.size();
    }

    /**
     * At a process's start: every open attempt's deadline is at least {@code originate-grace} from now.
     * Its answer may have arrived while no process read the events (this one was down), and the consumer
     * needs time to rejoin its group and read the backlog; without this the expiry, running at once,
     * would give up answered, busy and rung-out attempts as FAILED before their events were read. Tasks
     * are locked in id order first, as everywhere else. Returns how many deadlines moved.
     */
    public int resumeDeadlines(Instant now) {
        Timestamp earliest = Timestamp.from(now.plus(config.originateGrace()));
        @SuppressWarnings("unchecked")
        List<UUID> tasks = em.createNativeQuery("SELECT DISTINCT task_id FROM attempt WHERE ended_at IS NULL "
                + "AND expires_at < ?1 ORDER BY task_id").setParameter(1, earliest).getResultList();
        int moved = 0;
        for (UUID task : tasks) {
            states.lock(task);
            moved += em.createNativeQuery("UPDATE attempt SET expires_at = ?1 WHERE task_id = ?2 AND ended_at IS NULL "
                    + "AND expires_at < ?1").setParameter(1, earliest).setParameter(2, task).executeUpdate();
        }
        return moved;
    }

    /** A due callee on the do-not-call list: an attempt that is not dialed, and the callee blocked. */
    public void blockedByDnc(TaskRow t, long calleeId, String calleeNumber, int tryNumber, Instant now) {
        UUID id = UUID.randomUUID();
        em.createNativeQuery("INSERT INTO attempt (id, task_id, callee_id, try_number, callee_number, outcome, ended_at) "
                        + "VALUES (?1, ?2, ?3, ?4, ?5, 'BLOCKED_DNC', ?6)")
                .setParameter(1, id).setParameter(2, t.id()).setParameter(3, calleeId).setParameter(4, tryNumber)
                .setParameter(5, calleeNumber).setParameter(6, Timestamp.from(now)).executeUpdate();
        Row a = new Row(id, t.id(), calleeId, tryNumber, null, calleeNumber, null, null, null, null, now, null, null,
                false, null, null);
        report(t, a, AttemptOutcome.BLOCKED_DNC, now);
        calleeEnds(t, calleeId, calleeNumber, CalleeState.BLOCKED, tryNumber - 1, AttemptOutcome.BLOCKED_DNC, now);
    }

    private void finish(Row a, AttemptOutcome outcome, Instant now) {
        em.createNativeQuery("UPDATE attempt SET ended_at = ?2, outcome = ?3 WHERE id = ?1")
                .setParameter(1, a.id()).setParameter(2, Timestamp.from(now)).setParameter(3, outcome.name())
                .executeUpdate();
        TaskRow t = states.lock(a.taskId()).orElseThrow();
        report(t, a, outcome, now);
        boolean retry = outcome != AttemptOutcome.ANSWERED && t.retryOn().contains(outcome)
                && a.tryNumber() < t.maxTries()
                && (t.state() == TaskState.RUNNING || t.state() == TaskState.PAUSED);
        if (retry) {
            em.createNativeQuery("UPDATE callee SET state = 'PENDING_RETRY', last_outcome = ?3, next_attempt_at = ?4, "
                            + "updated_at = ?5 WHERE task_id = ?1 AND id = ?2")
                    .setParameter(1, t.id()).setParameter(2, a.calleeId()).setParameter(3, outcome.name())
                    .setParameter(4, Timestamp.from(now.plusSeconds(t.retryIntervalSeconds())))
                    .setParameter(5, Timestamp.from(now)).executeUpdate();
        } else {
            calleeEnds(t, a.calleeId(), a.calleeNumber(),
                    outcome == AttemptOutcome.ANSWERED ? CalleeState.ANSWERED : CalleeState.NOT_ANSWERED,
                    a.tryNumber(), outcome, now);
        }
        states.settle(t, now);
    }

    private void calleeEnds(TaskRow t, long calleeId, String number, CalleeState state, int tries,
                            AttemptOutcome last, Instant now) {
        em.createNativeQuery("UPDATE callee SET state = ?3, last_outcome = ?4, updated_at = ?5 WHERE task_id = ?1 AND id = ?2")
                .setParameter(1, t.id()).setParameter(2, calleeId).setParameter(3, state.name())
                .setParameter(4, last.name()).setParameter(5, Timestamp.from(now)).executeUpdate();
        outbox.publish(t.id().toString(), new CalleeDone(t.id().toString(), Long.toString(calleeId), number, state,
                tries, last));
    }

    /** The attempt-finished event, and the same result to the task's callback URL with the callee's own data. */
    private void report(TaskRow t, Row a, AttemptOutcome outcome, Instant now) {
        AttemptFinished done = new AttemptFinished(t.id().toString(), a.id().toString(), Long.toString(a.calleeId()),
                a.tryNumber(), a.callerNumber(), a.calleeNumber(), a.callId(), outcome, a.startedAt(),
                outcome == AttemptOutcome.ANSWERED ? a.answeredAt() : null, now, a.hangupCause(),
                a.sessionOutcome() == null ? null : SessionOutcome.valueOf(a.sessionOutcome()),
                a.keyTrail() == null ? List.of() : Json.read(a.keyTrail().getBytes(StandardCharsets.UTF_8), KEYS),
                a.variables() == null ? Map.of() : Json.read(a.variables().getBytes(StandardCharsets.UTF_8), VARIABLES));
        outbox.publish(t.id().toString(), done);
        if (t.callbackUrl() != null) {
            Object[] callee = (Object[]) em.createNativeQuery("SELECT number, variables, uui FROM callee WHERE task_id = ?1 AND id = ?2")
                    .setParameter(1, t.id()).setParameter(2, a.calleeId()).getSingleResult();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("calleeId", Long.toString(a.calleeId()));
            c.put("number", callee[0]);
            c.put("variables", callee[1] == null ? Map.of() : Json.read(((String) callee[1]).getBytes(StandardCharsets.UTF_8), VARIABLES));
            c.put("uui", callee[2]);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("taskId", t.id().toString());
            body.put("taskName", t.name());
            body.put("callee", c);
            body.put("attempt", done);
            callbacks.send(t, TaskCallbacks.ATTEMPT_FINISHED, body);
        }
    }

    /**
     * The attempt, if it exists and is not finished, locked after its task's row. Every transaction that
     * changes attempts takes the task first (the dialer, these events, the expiry): a batch of events
     * holding the task while it waits for an attempt that another transaction took before waiting for
     * the task would otherwise deadlock.
     */
    private Row open(String where, Object key) {
        if (key == null) {
            return null;
        }
        List<?> task = em.createNativeQuery("SELECT task_id FROM attempt WHERE " + where).setParameter(1, key).getResultList();
        if (task.isEmpty()) {
            return null;
        }
        states.lock((UUID) task.get(0));
        List<?> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM attempt WHERE " + where + " FOR UPDATE")
                .setParameter(1, key).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Row a = Row.of((Object[]) rows.get(0));
        return a.endedAt() == null ? a : null;
    }

    private static UUID attemptId(String id) {
        try {
            return id == null ? null : UUID.fromString(id);
        } catch (IllegalArgumentException notOurs) {
            return null;
        }
    }

    private static String json(Object o) {
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }
}
