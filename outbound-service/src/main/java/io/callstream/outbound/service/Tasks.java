package io.callstream.outbound.service;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import io.callstream.contracts.Json;
import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.outbound.CalleeState;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.contracts.outbound.TaskStateChanged;
import io.callstream.outbound.config.OutboundConfig;
import io.callstream.outbound.domain.TaskRow;
import io.callstream.outbound.rest.CalleeView;
import io.callstream.outbound.rest.TaskRequest;
import io.callstream.outbound.rest.TaskView;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.Page;
import io.callstream.servicekit.tx.Columns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Tasks as business systems create, read, pause, resume and stop them. Owns the transactions. */
@ApplicationScoped
@Transactional
public class Tasks {
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    private static final TypeReference<Map<String, String>> VARIABLES = new TypeReference<>() { };
    private static final TypeReference<List<KeyPress>> KEYS = new TypeReference<>() { };

    /** A created task, and whether it was created by this request or an earlier one with the same idempotency key. */
    public record Created(TaskView task, boolean replayed) {
    }

    private final EntityManager em;
    private final TaskRules rules;
    private final TaskStates states;
    private final Outbox outbox;
    private final AgroalDataSource dataSource;
    private final OutboundConfig config;

    Tasks(EntityManager em, TaskRules rules, TaskStates states, Outbox outbox, AgroalDataSource dataSource,
          OutboundConfig config) {
        this.em = em;
        this.rules = rules;
        this.states = states;
        this.outbox = outbox;
        this.dataSource = dataSource;
        this.config = config;
    }

    /**
     * Creates a task in INITIAL with its inline callees. With an idempotency key, the same key from the
     * same caller returns the task it created first (a different request under that key is refused).
     */
    public Created create(TaskRequest request, String caller, String idempotencyKey) {
        Instant now = Instant.now();
        String hash = null;
        if (idempotencyKey != null) {
            if (!IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
                throw ProblemException.invalid("Idempotency-Key", "1 to 200 visible ASCII characters");
            }
            hash = hash(request);
            // one creation per key at a time, across replicas
            em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext(?1))").setParameter(1, caller + "\n" + idempotencyKey)
                    .getSingleResult();
            List<?> earlier = em.createNativeQuery("SELECT id, request_hash FROM outbound_task WHERE created_by = ?1 "
                    + "AND idempotency_key = ?2").setParameter(1, caller).setParameter(2, idempotencyKey).getResultList();
            if (!earlier.isEmpty()) {
                Object[] e = (Object[]) earlier.get(0);
                if (!hash.equals(e[1])) {
                    throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key " + idempotencyKey
                            + " was used for a different task request", List.of(new io.callstream.servicekit.problem.Problem.FieldError(
                            "Idempotency-Key", "used before with a different request")));
                }
                return new Created(view((UUID) e[0]).orElseThrow(), true);
            }
        }
        TaskSettings s = rules.check(request, now);
        UUID id = UUID.randomUUID();
        List<TaskRequest.CalleeInput> callees = request.callees() == null ? List.of() : request.callees();
        em.createNativeQuery("INSERT INTO outbound_task (id, name, description, flow_id, state, state_reason, "
                        + "caller_numbers, not_before, not_after, time_zone, weekdays, windows, max_tries, retry_interval_s, "
                        + "retry_on, max_ring_s, max_concurrent, max_per_second, callback_url, callback_secret, created_by, "
                        + "idempotency_key, request_hash, callee_count, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, "
                        + "'INITIAL', 'created', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
                        + "?21, ?22, ?23, ?23)")
                .unwrap(org.hibernate.query.NativeQuery.class)
                .setParameter(1, id).setParameter(2, s.name()).setParameter(3, s.description(), String.class)
                .setParameter(4, s.flowId()).setParameter(5, String.join(",", s.callerNumbers()))
                .setParameter(6, Timestamp.from(s.notBefore())).setParameter(7, Timestamp.from(s.notAfter()))
                .setParameter(8, s.windows().zone().getId()).setParameter(9, s.windows().weekdaysText())
                .setParameter(10, s.windows().windowsText()).setParameter(11, s.maxTries())
                .setParameter(12, s.retryIntervalSeconds())
                .setParameter(13, s.retryOn().stream().map(Enum::name).collect(Collectors.joining(",")))
                .setParameter(14, s.maxRingSeconds()).setParameter(15, s.maxConcurrentCalls())
                .setParameter(16, s.maxCallsPerSecond()).setParameter(17, s.callbackUrl(), String.class)
                .setParameter(18, s.callbackSecret(), String.class).setParameter(19, caller)
                .setParameter(20, idempotencyKey, String.class).setParameter(21, hash, String.class)
                .setParameter(22, (long) callees.size()).setParameter(23, Timestamp.from(now)).executeUpdate();
        if (!callees.isEmpty()) {
            try (Connection c = dataSource.getConnection(); CalleeWriter w = new CalleeWriter(c, id, 1, now)) {
                for (TaskRequest.CalleeInput callee : callees) {
                    w.add(callee);
                }
                w.finish();
            } catch (SQLException e) {
                throw new IllegalStateException("writing callees failed", e);
            }
        }
        outbox.publish(id.toString(), new TaskStateChanged(id.toString(), s.name(), TaskState.INITIAL, null, "created", now));
        return new Created(view(id).orElseThrow(), false);
    }

    public Optional<TaskView> view(UUID id) {
        return states.find(id).map(t -> TaskView.of(t, states.counts(id), states.openAttempts(id)));
    }

    /** Tasks newest first, optionally of one state and with a name containing {@code name}; no per-state counts. */
    public Page<TaskView> list(TaskState state, String name, int page, int size) {
        Page.checkRequest(page, size);
        StringBuilder where = new StringBuilder(" WHERE true");
        Map<String, Object> params = new HashMap<>();
        if (state != null) {
            where.append(" AND state = :state");
            params.put("state", state.name());
        }
        if (name != null && !name.isBlank()) {
            where.append(" AND position(lower(:name) in lower(name)) > 0");
            params.put("name", name);
        }
        var count = em.createNativeQuery("SELECT count(*) FROM outbound_task" + where);
        var rows = em.createNativeQuery("SELECT " + TaskRow.COLUMNS + " FROM outbound_task" + where
                + " ORDER BY created_at DESC, id LIMIT :size OFFSET :offset");
        params.forEach((k, v) -> {
            count.setParameter(k, v);
            rows.setParameter(k, v);
        });
        rows.setParameter("size", size).setParameter("offset", (long) page * size);
        List<TaskView> items = new ArrayList<>();
        for (Object r : rows.getResultList()) {
            items.add(TaskView.of(TaskRow.of((Object[]) r), null, null));
        }
        return new Page<>(items, page, size, ((Number) count.getSingleResult()).longValue());
    }

    /** Stops new dials; calls in progress go on. */
    public TaskView pause(UUID id) {
        TaskRow t = locked(id);
        if (t.state() == TaskState.PAUSED) {
            return view(id).orElseThrow();
        }
        if (t.state() != TaskState.INITIAL && t.state() != TaskState.RUNNING) {
            throw refused(t, "pause");
        }
        states.change(t, TaskState.PAUSED, "paused", Instant.now());
        return view(id).orElseThrow();
    }

    /** Dials again (or waits for not-before and callees, as a new task does). */
    public TaskView resume(UUID id) {
        TaskRow t = locked(id);
        if (t.state() == TaskState.RUNNING) {
            return view(id).orElseThrow();
        }
        if (t.state() != TaskState.PAUSED) {
            throw refused(t, "resume");
        }
        Instant now = Instant.now();
        boolean ready = !now.isBefore(t.notBefore()) && t.calleeCount() > 0;
        states.change(t, ready ? TaskState.RUNNING : TaskState.INITIAL, "resumed", now);
        return view(id).orElseThrow();
    }

    /**
     * Ends the task: callees not dialed yet end as NOT_ANSWERED (BLOCKED_WINDOW); ENDING while calls are in
     * progress, then STOPPED.
     */
    public TaskView stop(UUID id) {
        TaskRow t = locked(id);
        if (t.state() == TaskState.ENDING) {
            return view(id).orElseThrow();
        }
        if (t.state().isFinal()) {
            throw refused(t, "stop");
        }
        Instant now = Instant.now();
        states.closeRemaining(id, now);
        states.change(t, states.openAttempts(id) > 0 ? TaskState.ENDING : TaskState.STOPPED, "stopped", now);
        return view(id).orElseThrow();
    }

    private TaskRow locked(UUID id) {
        return states.lock(id).orElseThrow(() -> ProblemException.notFound("no task " + id));
    }

    private static ProblemException refused(TaskRow t, String action) {
        String allowed = switch (t.state()) {
            case INITIAL, RUNNING -> "pause, stop";
            case PAUSED -> "resume, stop";
            case ENDING -> "none (it stops when its calls in progress end)";
            case COMPLETED, STOPPED -> "none (the task is over)";
        };
        return ProblemException.conflict("state", "cannot " + action + " a task that is " + t.state()
                + "; allowed: " + allowed);
    }

    /** A page of a task's callees (in upload order), each with its attempts. */
    public Page<CalleeView> callees(UUID taskId, CalleeState state, int page, int size) {
        Page.checkRequest(page, size);
        TaskRow t = states.find(taskId).orElseThrow(() -> ProblemException.notFound("no task " + taskId));
        String where = " WHERE task_id = :t" + (state == null ? "" : " AND state = :s");
        var rows = em.createNativeQuery("SELECT id, number, variables, uui, state, tries, last_outcome, next_attempt_at, "
                + "updated_at FROM callee" + where + " ORDER BY id LIMIT :size OFFSET :offset")
                .setParameter("t", taskId).setParameter("size", size).setParameter("offset", (long) page * size);
        if (state != null) {
            rows.setParameter("s", state.name());
        }
        long total;
        if (state == null) {
            total = t.calleeCount();
        } else {
            total = ((Number) em.createNativeQuery("SELECT count(*) FROM callee WHERE task_id = ?1 AND state = ?2")
                    .setParameter(1, taskId).setParameter(2, state.name()).getSingleResult()).longValue();
        }
        List<?> list = rows.getResultList();
        List<Long> ids = new ArrayList<>();
        for (Object r : list) {
            ids.add(((Number) ((Object[]) r)[0]).longValue());
        }
        Map<Long, List<CalleeView.AttemptView>> attempts = attempts(taskId, ids);
        List<CalleeView> items = new ArrayList<>();
        for (Object r : list) {
            items.add(callee((Object[]) r, attempts));
        }
        return new Page<>(items, page, size, total);
    }

    public Optional<CalleeView> callee(UUID taskId, long calleeId) {
        List<?> rows = em.createNativeQuery("SELECT id, number, variables, uui, state, tries, last_outcome, "
                        + "next_attempt_at, updated_at FROM callee WHERE task_id = ?1 AND id = ?2")
                .setParameter(1, taskId).setParameter(2, calleeId).getResultList();
        return rows.isEmpty() ? Optional.empty()
                : Optional.of(callee((Object[]) rows.get(0), attempts(taskId, List.of(calleeId))));
    }

    private static CalleeView callee(Object[] r, Map<Long, List<CalleeView.AttemptView>> attempts) {
        long id = ((Number) r[0]).longValue();
        String state = (String) r[4];
        return new CalleeView(Long.toString(id), (String) r[1], r[2] == null ? Map.of() : read((String) r[2], VARIABLES),
                (String) r[3], state, ((Number) r[5]).intValue(), (String) r[6],
                state.equals("PENDING") || state.equals("PENDING_RETRY") ? Columns.instant(r[7]) : null,
                Columns.instant(r[8]), attempts.getOrDefault(id, List.of()));
    }

    private Map<Long, List<CalleeView.AttemptView>> attempts(UUID taskId, List<Long> calleeIds) {
        Map<Long, List<CalleeView.AttemptView>> out = new LinkedHashMap<>();
        if (calleeIds.isEmpty()) {
            return out;
        }
        for (Object row : em.createNativeQuery("SELECT callee_id, id, try_number, caller_number, call_id, outcome, "
                        + "started_at, answered_at, ended_at, hangup_cause, session_outcome, key_trail, variables "
                        + "FROM attempt WHERE task_id = :t AND callee_id IN (:c) ORDER BY callee_id, try_number")
                .setParameter("t", taskId).setParameter("c", calleeIds).getResultList()) {
            Object[] r = (Object[]) row;
            String outcome = (String) r[5];
            boolean over = r[8] != null;
            out.computeIfAbsent(((Number) r[0]).longValue(), k -> new ArrayList<>()).add(new CalleeView.AttemptView(
                    r[1].toString(), ((Number) r[2]).intValue(), (String) r[3], (String) r[4],
                    over || outcome != null ? outcome : "IN_PROGRESS", Columns.instant(r[6]), Columns.instant(r[7]),
                    Columns.instant(r[8]), r[9] == null ? null : ((Number) r[9]).intValue(), (String) r[10],
                    r[11] == null ? List.of() : read((String) r[11], KEYS),
                    r[12] == null ? Map.of() : read((String) r[12], VARIABLES)));
        }
        return out;
    }

    /** The deliveries of a task's callbacks, newest first. */
    public Page<Map<String, Object>> callbacks(UUID taskId, int page, int size) {
        Page.checkRequest(page, size);
        states.find(taskId).orElseThrow(() -> ProblemException.notFound("no task " + taskId));
        List<Map<String, Object>> items = new ArrayList<>();
        for (Object row : em.createNativeQuery("SELECT id, event_type, url, status, attempts, last_status, last_error, "
                        + "created_at, next_attempt_at, delivered_at, body FROM webhook_delivery WHERE subscriber = ?1 "
                        + "ORDER BY created_at DESC, id LIMIT ?2 OFFSET ?3")
                .setParameter(1, taskId.toString()).setParameter(2, size).setParameter(3, (long) page * size)
                .getResultList()) {
            Object[] r = (Object[]) row;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("deliveryId", r[0].toString());
            d.put("eventType", r[1]);
            d.put("url", r[2]);
            d.put("status", r[3]);
            d.put("attempts", r[4]);
            d.put("lastStatus", r[5]);
            d.put("lastError", r[6]);
            d.put("createdAt", Columns.instant(r[7]));
            d.put("nextAttemptAt", "PENDING".equals(r[3]) ? Columns.instant(r[8]) : null);
            d.put("deliveredAt", Columns.instant(r[9]));
            d.put("body", Json.read(((String) r[10]).getBytes(StandardCharsets.UTF_8), Object.class));
            items.add(d);
        }
        long total = ((Number) em.createNativeQuery("SELECT count(*) FROM webhook_delivery WHERE subscriber = ?1")
                .setParameter(1, taskId.toString()).getSingleResult()).longValue();
        return new Page<>(items, page, size, total);
    }

    static <T> T read(String json, TypeReference<T> type) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static String hash(TaskRequest request) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Json.write(request)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
