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

    /** The agent's new state; the groups it serves when it became READY. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> stateChanged(AgentStateChanged e) {
        boolean ready = e.state() == AgentState.READY;
        if (updateState(e, ready) == 0) {
            ensure(e.agentId()); // the first word of this agent: its row, then the state
            updateState(e, ready);
        }
        return ready ? groupsOf(e.agentId()) : List.of();
    }

    private int updateState(AgentStateChanged e, boolean ready) {
        return em.createNativeQuery("UPDATE agent_view SET state = ?1, ready_since = CASE WHEN ?2 THEN ?3 ELSE ready_since END"
                        + " WHERE agent_id = ?4")
                .setParameter(1, e.state().name()).setParameter(2, ready)
                .setParameter(3, Timestamp.from(e.changedAt())).setParameter(4, e.agentId()).executeUpdate();
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
