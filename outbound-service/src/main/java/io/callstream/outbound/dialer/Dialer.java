package io.callstream.outbound.dialer;

import com.fasterxml.jackson.core.type.TypeReference;
import io.callstream.contracts.Json;
import io.callstream.contracts.call.Originate;
import io.callstream.contracts.outbound.AttemptStarted;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.outbound.config.OutboundConfig;
import io.callstream.outbound.domain.TaskRow;
import io.callstream.outbound.service.Attempts;
import io.callstream.outbound.service.TaskStates;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.tx.Sweeper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Dials the callees of running tasks at each task's pace. Every tick it visits each live task in a
 * transaction of its own, holding the task's row (other replicas skip it meanwhile): it starts, ends or
 * settles the task as its times say, then — inside a window — takes as many due callees as the task's
 * rate, its concurrency and its caller numbers' limits allow, and for each writes the attempt and the
 * originate command together (outbox), so a crash neither loses nor repeats a dial.
 *
 * <p>Pacing is a schedule: {@code next_dial_at} advances by 1/rate per dial, and may lag the clock by at most
 * two ticks. Passes start a tick after the previous one ended, so a task is visited every tick plus a pass's
 * own work (or two of them when a visit found the task held by a finishing attempt): what fell due meanwhile
 * is dialed, and after a longer stall a task dials at most two ticks' worth at once, not the whole stall's.
 */
@ApplicationScoped
public class Dialer {
    private static final Logger LOG = Logger.getLogger(Dialer.class);
    /** Variables the dialer adds to each originate (ivr-service reads the flow id; the rest are for the flow's use). */
    public static final String FLOW_VARIABLE = "callstream.flowId";
    public static final String TASK_VARIABLE = "callstream.taskId";
    public static final String CALLEE_VARIABLE = "callstream.calleeId";
    public static final String UUI_VARIABLE = "callstream.uui";
    private static final int MAX_PER_TICK = 500;

    private final EntityManager em;
    private final TaskStates states;
    private final Attempts attempts;
    private final Outbox outbox;
    private final OutboundConfig config;
    private final Timer passes;
    private final Counter skipped;
    private Sweeper ticker;
    private Sweeper expiry;

    Dialer(EntityManager em, TaskStates states, Attempts attempts, Outbox outbox, OutboundConfig config,
           MeterRegistry registry) {
        this.em = em;
        this.states = states;
        this.attempts = attempts;
        this.outbox = outbox;
        this.config = config;
        // a pass longer than the tick, or tasks often skipped, is the dialer falling behind its tasks' rates
        this.passes = Timer.builder("callstream.outbound.dialer.pass")
                .description("one pass of the dialer over the live tasks").register(registry);
        this.skipped = Counter.builder("callstream.outbound.dialer.skipped")
                .description("task visits skipped because another transaction held the task").register(registry);
    }

    void start(@Observes StartupEvent ignored) {
        try {
            int moved = QuarkusTransaction.requiringNew().call(() -> attempts.resumeDeadlines(Instant.now()));
            if (moved > 0) {
                LOG.infof("%d open attempt(s) get %s from now for their events to be read", moved, config.originateGrace());
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not move the deadlines of open attempts at start: %s", e.toString());
        }
        ticker = Sweeper.start("outbound-dialer", config.dialTick(), Integer.MAX_VALUE, ignoredMax -> {
            tick();
            return 0;
        });
        expiry = Sweeper.start("outbound-attempt-expiry", Duration.ofSeconds(1), 100,
                max -> QuarkusTransaction.requiringNew().call(() -> attempts.expire(max, Instant.now())));
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (ticker != null) {
            ticker.close();
        }
        if (expiry != null) {
            expiry.close();
        }
    }

    /** One pass over the live tasks. */
    public void tick() {
        Instant start = Instant.now();
        @SuppressWarnings("unchecked")
        List<UUID> live = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT id FROM outbound_task WHERE state IN ('INITIAL', 'RUNNING', 'ENDING') ORDER BY created_at")
                .getResultList());
        for (UUID id : live) {
            try {
                QuarkusTransaction.requiringNew().run(() -> visit(id, Instant.now()));
            } catch (RuntimeException e) {
                LOG.warnf("dialing task %s failed, trying again next tick: %s", id, e.toString());
            }
        }
        passes.record(Duration.between(start, Instant.now()));
    }

    private void visit(UUID id, Instant now) {
        TaskRow t = states.tryLock(id).orElse(null);
        if (t == null) {
            skipped.increment();
            return;
        }
        if (t.state() == TaskState.INITIAL) {
            if (!now.isBefore(t.notAfter())) {
                states.closeRemaining(t.id(), now);
                states.change(t, TaskState.STOPPED, "not-after passed before the task started", now);
                return;
            }
            if (now.isBefore(t.notBefore()) || t.calleeCount() == 0) {
                return;
            }
            t = states.change(t, TaskState.RUNNING, "not-before reached", now);
        }
        if (t.state() == TaskState.ENDING) {
            states.settle(t, now);
            return;
        }
        if (t.state() != TaskState.RUNNING) {
            return;
        }
        if (!now.isBefore(t.notAfter())) {
            int closed = states.closeRemaining(t.id(), now);
            if (states.openAttempts(t.id()) > 0) {
                states.change(t, TaskState.ENDING, "not-after passed; calls in progress go on", now);
            } else {
                states.change(t, closed > 0 ? TaskState.STOPPED : TaskState.COMPLETED,
                        closed > 0 ? "not-after passed" : "every callee done", now);
            }
            return;
        }
        if (!t.windows().isOpen(now)) {
            setPace(t.id(), null, t.nextCaller());
            return;
        }
        dial(t, now);
    }

    private void dial(TaskRow t, Instant now) {
        long intervalNanos = (long) (1_000_000_000L / t.maxCallsPerSecond());
        // a lag of one tick only would lose each pass's own time: 2 % of the rate at 100 calls/s
        Instant earliest = now.minus(config.dialTick().multipliedBy(2));
        Instant next = t.nextDialAt() == null || t.nextDialAt().isBefore(earliest) ? earliest : t.nextDialAt();
        long byRate = next.isAfter(now) ? 0 : Duration.between(next, now).toNanos() / intervalNanos + 1;
        long free = t.maxConcurrentCalls() - states.openAttempts(t.id());
        Map<String, Integer> numberFree = callerNumbersFree(t.callerNumbers());
        long byNumbers = numberFree.values().stream().mapToLong(Integer::longValue).sum();
        int n = (int) Math.min(Math.min(byRate, free), Math.min(byNumbers, MAX_PER_TICK));
        if (n <= 0) {
            if (byRate > 0) {
                // held back by concurrency, not by rate: no credit piles up meanwhile
                setPace(t.id(), now, t.nextCaller());
            }
            states.settle(t, now);
            return;
        }
        List<?> due = em.createNativeQuery("SELECT id, number, variables, uui, tries FROM callee WHERE task_id = ?1 "
                        + "AND state IN ('PENDING', 'PENDING_RETRY') AND next_attempt_at <= ?2 "
                        + "ORDER BY next_attempt_at, id LIMIT ?3 FOR UPDATE SKIP LOCKED")
                .setParameter(1, t.id()).setParameter(2, Timestamp.from(now)).setParameter(3, n).getResultList();
        if (due.isEmpty()) {
            setPace(t.id(), now, t.nextCaller());
            states.settle(t, now);
            return;
        }
        Set<String> blocked = doNotCall(due);
        List<String> numbers = t.callerNumbers();
        int caller = t.nextCaller() % numbers.size();
        int dials = 0;
        boolean anyBlocked = false;
        for (Object row : due) {
            Object[] c = (Object[]) row;
            long calleeId = ((Number) c[0]).longValue();
            String calleeNumber = (String) c[1];
            int tryNumber = ((Number) c[4]).intValue() + 1;
            if (blocked.contains(calleeNumber)) {
                attempts.blockedByDnc(t, calleeId, calleeNumber, tryNumber, now);
                anyBlocked = true;
                continue;
            }
            String callerNumber = null;
            for (int k = 0; k < numbers.size(); k++) {
                String candidate = numbers.get((caller + k) % numbers.size());
                Integer left = numberFree.get(candidate);
                if (left != null && left > 0) {
                    numberFree.put(candidate, left - 1);
                    callerNumber = candidate;
                    caller = (caller + k + 1) % numbers.size();
                    break;
                }
            }
            if (callerNumber == null) {
                break; // cannot happen: n is at most the numbers' free lines
            }
            originate(t, calleeId, calleeNumber, (String) c[2], (String) c[3], tryNumber, callerNumber, now);
            dials++;
        }
        setPace(t.id(), next.plusNanos(dials * intervalNanos), caller);
        if (anyBlocked) {
            states.settle(states.find(t.id()).orElseThrow(), now);
        }
    }

    private void originate(TaskRow t, long calleeId, String calleeNumber, String variablesJson, String uui,
                           int tryNumber, String callerNumber, Instant now) {
        UUID attemptId = UUID.randomUUID();
        String callId = UUID.randomUUID().toString();
        em.createNativeQuery("INSERT INTO attempt (id, task_id, callee_id, try_number, caller_number, callee_number, "
                        + "call_id, started_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                .setParameter(1, attemptId).setParameter(2, t.id()).setParameter(3, calleeId).setParameter(4, tryNumber)
                .setParameter(5, callerNumber).setParameter(6, calleeNumber).setParameter(7, callId)
                .setParameter(8, Timestamp.from(now))
                .setParameter(9, Timestamp.from(now.plusSeconds(t.maxRingSeconds()).plus(config.originateGrace())))
                .executeUpdate();
        em.createNativeQuery("UPDATE callee SET state = 'CALLING', tries = ?3, updated_at = ?4 WHERE task_id = ?1 AND id = ?2")
                .setParameter(1, t.id()).setParameter(2, calleeId).setParameter(3, tryNumber)
                .setParameter(4, Timestamp.from(now)).executeUpdate();
        Map<String, String> variables = new LinkedHashMap<>();
        if (variablesJson != null) {
            variables.putAll(Json.read(variablesJson.getBytes(StandardCharsets.UTF_8), new TypeReference<Map<String, String>>() { }));
        }
        variables.put(FLOW_VARIABLE, t.flowId().toString());
        variables.put(TASK_VARIABLE, t.id().toString());
        variables.put(CALLEE_VARIABLE, Long.toString(calleeId));
        if (uui != null) {
            variables.put(UUI_VARIABLE, uui);
        }
        // the attempt id is the command id too: a resent command is the same command, the gateway drops it
        outbox.publish(callId, new Originate(attemptId.toString(), callId, attemptId.toString(), callerNumber,
                calleeNumber, t.maxRingSeconds(), variables));
        outbox.publish(t.id().toString(), new AttemptStarted(t.id().toString(), attemptId.toString(),
                Long.toString(calleeId), tryNumber, callerNumber, calleeNumber, callId, now));
    }

    /** Free lines per caller number of the task, their rows locked (tasks sharing a number take turns). */
    private Map<String, Integer> callerNumbersFree(List<String> numbers) {
        Map<String, Integer> free = new LinkedHashMap<>();
        for (Object row : em.createNativeQuery("SELECT c.number, c.max_concurrent - (SELECT count(*) FROM attempt a "
                        + "WHERE a.caller_number = c.number AND a.ended_at IS NULL) FROM caller_number c "
                        + "WHERE c.number IN (:n) ORDER BY c.number FOR UPDATE")
                .setParameter("n", numbers).getResultList()) {
            Object[] r = (Object[]) row;
            free.put((String) r[0], Math.max(0, ((Number) r[1]).intValue()));
        }
        return free;
    }

    private Set<String> doNotCall(List<?> due) {
        Set<String> numbers = new HashSet<>();
        for (Object row : due) {
            numbers.add((String) ((Object[]) row)[1]);
        }
        @SuppressWarnings("unchecked")
        List<String> listed = em.createNativeQuery("SELECT number FROM dnc_number WHERE number IN (:n)")
                .setParameter("n", numbers).getResultList();
        return new HashSet<>(listed);
    }

    private void setPace(UUID taskId, Instant nextDialAt, int nextCaller) {
        em.createNativeQuery("UPDATE outbound_task SET next_dial_at = CASE WHEN ?4 THEN NULL ELSE CAST(?2 AS timestamptz) END, "
                        + "next_caller = ?3 WHERE id = ?1")
                .setParameter(1, taskId).setParameter(2, Timestamp.from(nextDialAt == null ? Instant.EPOCH : nextDialAt))
                .setParameter(3, nextCaller).setParameter(4, nextDialAt == null).executeUpdate();
    }
}
