package io.callstream.agent.state;

import io.callstream.agent.config.AgentConfig;
import io.callstream.agent.domain.Agent;
import io.callstream.agent.domain.AgentStatus;
import io.callstream.agent.domain.SkillGroup;
import io.callstream.agent.domain.StateHistoryEntry;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.problem.Problem;
import io.callstream.servicekit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Agent states: requests from agents and admins, and the call events routing-service and the gateway
 * report. Each change locks the agent's row, is stored in its history and published as
 * {@code io.callstream.agent.state-changed} in the same transaction.
 */
@ApplicationScoped
public class AgentStates {
    private static final int MAX_REASON = 64;
    private static final EnumSet<AgentStateCause> CALL_CAUSES = EnumSet.of(AgentStateCause.CALL_OFFERED,
            AgentStateCause.CALL_CONNECTED, AgentStateCause.CALL_MISSED, AgentStateCause.CALL_ENDED,
            AgentStateCause.MISSED_CALLS_LIMIT);

    private final EntityManager em;
    private final Outbox outbox;
    private final AgentConfig config;
    private final AgentStateMachine machine;
    /** Ended calls are remembered for a day; the older ones are deleted at most this often (per process). */
    private static final long ENDED_PURGE_EVERY_MILLIS = 600_000;
    private final java.util.concurrent.atomic.AtomicLong lastEndedPurge = new java.util.concurrent.atomic.AtomicLong();

    AgentStates(EntityManager em, Outbox outbox, AgentConfig config) {
        this.em = em;
        this.outbox = outbox;
        this.config = config;
        this.machine = new AgentStateMachine(config.missedCallsLimit(), config.missedCallsReason());
    }

    @Transactional
    public Optional<AgentStateView> current(UUID agentId) {
        return Optional.ofNullable(em.find(AgentStatus.class, agentId)).map(AgentStateView::of);
    }

    /** A state request; {@code byAdmin} when an admin asks on the agent's behalf. */
    @Transactional
    public AgentStateView request(UUID agentId, StateRequest request, boolean byAdmin) {
        if (request == null || request.state() == null || request.state().isBlank()) {
            throw ProblemException.invalid("state", "is required: READY, NOT_READY or OFFLINE");
        }
        AgentState target;
        try {
            target = AgentState.valueOf(request.state().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("state", "'" + request.state() + "' is not READY, NOT_READY or OFFLINE");
        }
        if (target != AgentState.READY && target != AgentState.NOT_READY && target != AgentState.OFFLINE) {
            throw ProblemException.invalid("state", target + " is set by calls, not asked for: ask for READY, NOT_READY or OFFLINE");
        }
        String reason = request.reason() == null ? null : request.reason().strip();
        if (target == AgentState.NOT_READY && (reason == null || reason.isEmpty())) {
            throw ProblemException.invalid("reason", "NOT_READY needs a reason (e.g. rest, meeting)");
        }
        if (reason != null && reason.length() > MAX_REASON) {
            throw ProblemException.invalid("reason", "is longer than " + MAX_REASON + " characters");
        }
        if (target != AgentState.NOT_READY && reason != null && !reason.isEmpty()) {
            throw ProblemException.invalid("reason", "only NOT_READY takes a reason");
        }
        AgentStatus s = lock(agentId);
        Instant now = now();
        try {
            AgentStateMachine.Change change = machine.request(s, target, reason, Boolean.TRUE.equals(request.afterCall()),
                    byAdmin ? AgentStateCause.ADMIN_REQUEST : AgentStateCause.AGENT_REQUEST, now);
            record(s, change, now);
        } catch (AgentStateMachine.Forbidden e) {
            throw new ProblemException(409, "state-not-allowed", e.getMessage() + "; allowed: "
                    + (e.allowed().isEmpty() ? "nothing" : String.join(", ", e.allowed())),
                    List.of(new Problem.FieldError("state", "allowed from " + s.state + ": " + e.allowed())));
        }
        return AgentStateView.of(s);
    }

    @Transactional
    public AgentStateView forceOffline(UUID agentId) {
        AgentStatus s = lock(agentId);
        Instant now = now();
        record(s, machine.forceOffline(s, now), now);
        return AgentStateView.of(s);
    }

    @Transactional
    public AgentStateView restore(UUID agentId) {
        AgentStatus s = lock(agentId);
        Instant now = now();
        record(s, machine.restore(s), now);
        return AgentStateView.of(s);
    }

    /**
     * routing-service offered the agent a call. In the consumer's transaction. An offer read after the
     * call (or the agent's leg) ended is passed over: the phone does not ring for a call that is over.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void offered(String agentId, String callId, String skillGroupId) {
        if (ended(agentId, callId)) {
            return;
        }
        lockIfKnown(agentId).ifPresent(s -> {
            Instant now = now();
            record(s, machine.offered(s, callId, skillGroupId, now), now);
        });
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void missed(String agentId, String callId) {
        lockIfKnown(agentId).ifPresent(s -> {
            Instant now = now();
            AgentStateMachine.Change change = machine.missed(s, callId, now);
            record(s, change, now);
        });
    }

    /**
     * The agent answered. Read after the call (or the agent's leg) ended, the end follows at once: the
     * agent talked, so it goes through busy to after-call work rather than stay busy.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void connected(String agentId, String callId, String skillGroupId) {
        boolean over = ended(agentId, callId);
        lockIfKnown(agentId).ifPresent(s -> {
            Instant now = now();
            record(s, machine.connected(s, callId, skillGroupId, now), now);
            if (over) {
                record(s, machine.callEnded(s, callId, afterCallWork(s.skillGroupId), now), now);
            }
        });
    }

    /** The agent's leg of {@code callId} ended (agent known), or the call ended (every agent on it). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void callEnded(String agentId, String callId) {
        Instant at = now();
        em.createNativeQuery("INSERT INTO ended_call (call_id, agent_id, ended_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                .setParameter(1, callId).setParameter(2, agentId == null ? "" : agentId).setParameter(3, at).executeUpdate();
        long last = lastEndedPurge.get();
        if (at.toEpochMilli() - last > ENDED_PURGE_EVERY_MILLIS && lastEndedPurge.compareAndSet(last, at.toEpochMilli())) {
            em.createNativeQuery("DELETE FROM ended_call WHERE ended_at < ?1").setParameter(1, at.minus(Duration.ofDays(1)))
                    .executeUpdate();
        }
        List<AgentStatus> on;
        if (agentId != null) {
            on = lockIfKnown(agentId).stream().toList();
        } else {
            on = em.createQuery("FROM AgentStatus WHERE callId = :call AND state IN :states", AgentStatus.class)
                    .setParameter("call", callId)
                    .setParameter("states", List.of(AgentState.RINGING, AgentState.BUSY))
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList();
        }
        for (AgentStatus s : on) {
            Instant now = now();
            record(s, machine.callEnded(s, callId, afterCallWork(s.skillGroupId), now), now);
        }
    }

    /** Whether the call, or this agent's leg of it, ended already (read earlier from the call events). */
    private boolean ended(String agentId, String callId) {
        return !em.createNativeQuery("SELECT 1 FROM ended_call WHERE call_id = ?1 AND agent_id IN ('', ?2)")
                .setParameter(1, callId).setParameter(2, agentId).getResultList().isEmpty();
    }

    /** Ends after-call work that is due, up to {@code limit} agents; returns how many. */
    @Transactional
    public int endDueAfterCallWork(int limit) {
        Instant now = now();
        @SuppressWarnings("unchecked")
        List<UUID> due = em.createNativeQuery("SELECT agent_id FROM agent_state WHERE state = 'AFTER_CALL_WORK'"
                        + " AND acw_until <= ?1 ORDER BY acw_until LIMIT ?2 FOR UPDATE SKIP LOCKED", UUID.class)
                .setParameter(1, now).setParameter(2, limit).getResultList();
        for (UUID id : due) {
            AgentStatus s = em.find(AgentStatus.class, id);
            record(s, machine.afterCallWorkEnded(s, now), now);
        }
        return due.size();
    }

    Duration afterCallWork(String skillGroupId) {
        if (skillGroupId != null) {
            SkillGroup g = em.find(SkillGroup.class, skillGroupId);
            if (g != null && g.afterCallWorkSeconds != null) {
                return Duration.ofSeconds(g.afterCallWorkSeconds);
            }
        }
        return config.afterCallWork();
    }

    private AgentStatus lock(UUID agentId) {
        AgentStatus s = em.find(AgentStatus.class, agentId, LockModeType.PESSIMISTIC_WRITE);
        if (s == null) {
            throw ProblemException.notFound("no agent " + agentId);
        }
        return s;
    }

    private Optional<AgentStatus> lockIfKnown(String agentId) {
        UUID id;
        try {
            id = UUID.fromString(agentId);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not one of ours: nothing to change
        }
        return Optional.ofNullable(em.find(AgentStatus.class, id, LockModeType.PESSIMISTIC_WRITE));
    }

    private void record(AgentStatus s, AgentStateMachine.Change change, Instant now) {
        if (change == null) {
            return;
        }
        boolean aboutCall = CALL_CAUSES.contains(change.cause());
        StateHistoryEntry h = new StateHistoryEntry();
        h.agentId = s.agentId;
        h.state = s.state;
        h.reason = s.reason;
        h.previousState = change.previousState();
        h.cause = change.cause();
        h.callId = aboutCall ? s.callId : null;
        h.skillGroupId = aboutCall ? s.skillGroupId : null;
        h.changedAt = now;
        em.persist(h);
        outbox.publish(s.agentId.toString(), new AgentStateChanged(s.agentId.toString(), s.state, s.reason,
                change.previousState(), change.cause(), h.callId, h.skillGroupId, s.afterCallState, s.forcedOffline, now));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** Whether {@code agentId} names an agent (for the resources' 404s). */
    @Transactional
    public Optional<Agent> agent(UUID agentId) {
        return Optional.ofNullable(em.find(Agent.class, agentId));
    }
}
