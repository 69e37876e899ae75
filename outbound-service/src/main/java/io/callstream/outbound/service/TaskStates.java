package io.callstream.outbound.service;

import io.callstream.contracts.outbound.CalleeState;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.contracts.outbound.TaskStateChanged;
import io.callstream.outbound.callback.TaskCallbacks;
import io.callstream.outbound.domain.TaskRow;
import io.callstream.servicekit.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A task's state and the changes between states, each with its {@link TaskStateChanged} event and, when
 * the task ends, the task-ended callback. Callers hold the task row's lock ({@link #lock}) while they
 * decide, so replicas and consumer threads never decide the same change twice.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class TaskStates {
    private final EntityManager em;
    private final Outbox outbox;
    private final TaskCallbacks callbacks;

    TaskStates(EntityManager em, Outbox outbox, TaskCallbacks callbacks) {
        this.em = em;
        this.outbox = outbox;
        this.callbacks = callbacks;
    }

    public Optional<TaskRow> find(UUID id) {
        return one("SELECT " + TaskRow.COLUMNS + " FROM outbound_task WHERE id = ?1", id);
    }

    /** The task, its row locked until the transaction ends. */
    public Optional<TaskRow> lock(UUID id) {
        return one("SELECT " + TaskRow.COLUMNS + " FROM outbound_task WHERE id = ?1 FOR UPDATE", id);
    }

    /** The task locked, or empty when another transaction holds it (the dialer skips it this tick). */
    public Optional<TaskRow> tryLock(UUID id) {
        return one("SELECT " + TaskRow.COLUMNS + " FROM outbound_task WHERE id = ?1 FOR UPDATE SKIP LOCKED", id);
    }

    private Optional<TaskRow> one(String sql, UUID id) {
        List<?> rows = em.createNativeQuery(sql).setParameter(1, id).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(TaskRow.of((Object[]) rows.get(0)));
    }

    /** Moves the locked task to {@code to}; returns the task as it is now. */
    public TaskRow change(TaskRow t, TaskState to, String reason, Instant now) {
        em.createNativeQuery("UPDATE outbound_task SET state = ?2, state_reason = ?3, updated_at = ?4, "
                        + "ended_at = CASE WHEN ?5 THEN ?4 ELSE ended_at END WHERE id = ?1")
                .setParameter(1, t.id()).setParameter(2, to.name()).setParameter(3, reason)
                .setParameter(4, Timestamp.from(now)).setParameter(5, to.isFinal()).executeUpdate();
        outbox.publish(t.id().toString(), new TaskStateChanged(t.id().toString(), t.name(), to, t.state(), reason, now));
        if (to.isFinal()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("taskId", t.id().toString());
            body.put("name", t.name());
            body.put("state", to.name());
            body.put("reason", reason);
            body.put("endedAt", now.toString());
            body.put("callees", counts(t.id()));
            callbacks.send(t, TaskCallbacks.TASK_ENDED, body);
        }
        return find(t.id()).orElseThrow();
    }

    /** Calls in progress (originates not yet answered or failed, and answered calls not yet finished). */
    public long openAttempts(UUID taskId) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM attempt WHERE task_id = ?1 AND ended_at IS NULL")
                .setParameter(1, taskId).getSingleResult()).longValue();
    }

    /** Whether some callee is still pending, being called or waiting for a retry. */
    public boolean hasUnfinishedCallees(UUID taskId) {
        return !em.createNativeQuery("SELECT 1 FROM callee WHERE task_id = ?1 AND state IN ('PENDING', 'CALLING', "
                + "'PENDING_RETRY') LIMIT 1").setParameter(1, taskId).getResultList().isEmpty();
    }

    /**
     * Ends every callee not yet dialed (pending or waiting for a retry) as NOT_ANSWERED with last outcome
     * BLOCKED_WINDOW, and marks the task as closed early; calls in progress go on. One statement, no event
     * per callee: the task's end reports the counts.
     */
    public int closeRemaining(UUID taskId, Instant now) {
        int closed = em.createNativeQuery("UPDATE callee SET state = 'NOT_ANSWERED', last_outcome = 'BLOCKED_WINDOW', "
                        + "updated_at = ?2 WHERE task_id = ?1 AND state IN ('PENDING', 'PENDING_RETRY')")
                .setParameter(1, taskId).setParameter(2, Timestamp.from(now)).executeUpdate();
        em.createNativeQuery("UPDATE outbound_task SET closed_early = true WHERE id = ?1").setParameter(1, taskId)
                .executeUpdate();
        return closed;
    }

    /**
     * Ends the locked task if nothing is left for it: ENDING once its last call is over (STOPPED, or
     * COMPLETED when it had finished every callee anyway); RUNNING or PAUSED once every callee is final.
     */
    public TaskRow settle(TaskRow t, Instant now) {
        if (t.state() == TaskState.ENDING) {
            if (openAttempts(t.id()) == 0) {
                boolean stopped = closedEarly(t.id());
                return change(t, stopped ? TaskState.STOPPED : TaskState.COMPLETED,
                        stopped ? "calls in progress ended after the task was stopped or ran out of time"
                                : "every callee done", now);
            }
        } else if ((t.state() == TaskState.RUNNING || t.state() == TaskState.PAUSED) && t.calleeCount() > 0
                && !hasUnfinishedCallees(t.id()) && openAttempts(t.id()) == 0) {
            return change(t, TaskState.COMPLETED, "every callee done", now);
        }
        return t;
    }

    private boolean closedEarly(UUID taskId) {
        return Boolean.TRUE.equals(em.createNativeQuery("SELECT closed_early FROM outbound_task WHERE id = ?1")
                .setParameter(1, taskId).getSingleResult());
    }

    /** Callees by state, every state present (0 when none), and the total. */
    public Map<String, Long> counts(UUID taskId) {
        Map<String, Long> out = new LinkedHashMap<>();
        long total = 0;
        for (CalleeState s : CalleeState.values()) {
            out.put(s.name(), 0L);
        }
        for (Object row : em.createNativeQuery("SELECT state, count(*) FROM callee WHERE task_id = ?1 GROUP BY state")
                .setParameter(1, taskId).getResultList()) {
            Object[] r = (Object[]) row;
            long n = ((Number) r[1]).longValue();
            out.put((String) r[0], n);
            total += n;
        }
        out.put("total", total);
        return out;
    }
}
