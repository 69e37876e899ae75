package io.callstream.routing.agents;

import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.contracts.agent.SkillGroupChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * routing-service's view of agents and skill groups, kept from agent-service's events: who serves which
 * group at which priority, who is READY and since when, each group's reception limit. Changes that may
 * let a waiting call be served return the groups to try.
 */
@ApplicationScoped
public class AgentViews {
    private final EntityManager em;

    AgentViews(EntityManager em) {
        this.em = em;
    }

    /**
     * The agent's new state; when it became READY, the groups it serves that have callers waiting (the
     * only ones an assignment could serve: a READY that finds every queue of its groups empty costs one
     * statement).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> stateChanged(AgentStateChanged e) {
        boolean ready = e.state() == AgentState.READY;
        if (!ready) {
            if (updateState(e) == 0) {
                ensure(e.agentId()); // the first word of this agent: its row, then the state
                updateState(e);
            }
            return List.of();
        }
        List<Object[]> rows = readyWithCallers(e);
        if (rows.isEmpty()) {
            ensure(e.agentId());
            rows = readyWithCallers(e);
        }
        List<String> groups = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            if (r[1] != null) {
                groups.add((String) r[1]);
            }
        }
        return groups;
    }

    private int updateState(AgentStateChanged e) {
        return em.createNativeQuery("UPDATE agent_view SET state = ?1 WHERE agent_id = ?2")
                .setParameter(1, e.state().name()).setParameter(2, e.agentId()).executeUpdate();
    }

    /**
     * READY since the event's time, in one statement with the agent's groups that have a caller waiting:
     * no row when the agent is unknown, one row with no group when none of its groups has a caller.
     */
    @SuppressWarnings("unchecked")
    private List<Object[]> readyWithCallers(AgentStateChanged e) {
        return em.createNativeQuery("WITH u AS (UPDATE agent_view SET state = 'READY', ready_since = ?1 WHERE agent_id = ?2"
                        + " RETURNING agent_id)"
                        + " SELECT u.agent_id, s.skill_group_id FROM u LEFT JOIN agent_skill_view s ON s.agent_id = u.agent_id"
                        + " AND EXISTS (SELECT 1 FROM queue_entry q WHERE q.skill_group = s.skill_group_id AND q.state = 'WAITING')"
                        + " ORDER BY s.skill_group_id")
                .setParameter(1, Timestamp.from(e.changedAt())).setParameter(2, e.agentId()).getResultList();
    }

    /** The agent's endpoint and skill groups (all of them, replacing what was known); gone when removed. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> profileChanged(AgentProfileChanged e) {
        if (e.removed()) {
            em.createNativeQuery("DELETE FROM agent_view WHERE agent_id = ?1").setParameter(1, e.agentId()).executeUpdate();
            return List.of();
        }
        ensure(e.agentId());
        em.createNativeQuery("UPDATE agent_view SET endpoint = ?1 WHERE agent_id = ?2")
                .setParameter(1, e.endpoint()).setParameter(2, e.agentId()).executeUpdate();
        em.createNativeQuery("DELETE FROM agent_skill_view WHERE agent_id = ?1").setParameter(1, e.agentId()).executeUpdate();
        for (SkillAssignment s : e.skills() == null ? List.<SkillAssignment>of() : e.skills()) {
            em.createNativeQuery("INSERT INTO agent_skill_view (agent_id, skill_group_id, priority) VALUES (?1, ?2, ?3)"
                            + " ON CONFLICT (agent_id, skill_group_id) DO UPDATE SET priority = excluded.priority")
                    .setParameter(1, e.agentId()).setParameter(2, s.skillGroupId()).setParameter(3, s.priority())
                    .executeUpdate();
        }
        return groupsOf(e.agentId());
    }

    /** A group's reception limit; the group's callers may be served when it grew. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> skillGroupChanged(SkillGroupChanged e) {
        if (e.removed()) {
            em.createNativeQuery("DELETE FROM skill_group_view WHERE id = ?1").setParameter(1, e.skillGroupId()).executeUpdate();
            return List.of();
        }
        em.createNativeQuery("INSERT INTO skill_group_view (id, reception_limit) VALUES (?1, ?2)"
                        + " ON CONFLICT (id) DO UPDATE SET reception_limit = excluded.reception_limit")
                .setParameter(1, e.skillGroupId()).setParameter(2, e.receptionLimit()).executeUpdate();
        return List.of(e.skillGroupId());
    }

    @SuppressWarnings("unchecked")
    private List<String> groupsOf(String agentId) {
        return em.createNativeQuery("SELECT skill_group_id FROM agent_skill_view WHERE agent_id = ?1 ORDER BY skill_group_id")
                .setParameter(1, agentId).getResultList();
    }

    /**
     * The agent's row, inserted when missing. Looked for first: an insert's unique check on an existing
     * row waits for any transaction that updated it (a reservation, a call's end), and inside batched
     * transactions such waits made deadlocks under load.
     */
    private void ensure(String agentId) {
        if (em.createNativeQuery("SELECT 1 FROM agent_view WHERE agent_id = ?1").setParameter(1, agentId).getResultList().isEmpty()) {
            em.createNativeQuery("INSERT INTO agent_view (agent_id) VALUES (?1) ON CONFLICT (agent_id) DO NOTHING")
                    .setParameter(1, agentId).executeUpdate();
        }
    }
}
