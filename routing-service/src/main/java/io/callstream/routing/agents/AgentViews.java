package io.callstream.routing.agents;

import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.contracts.agent.SkillGroupChanged;
import jakarta.enterprise.context.ApplicationScoped;
import io.callstream.servicekit.tx.Sql;
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
    private final Sql sql;

    AgentViews(Sql sql) {
        this.sql = sql;
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
        return sql.update("UPDATE agent_view SET state = ?1 WHERE agent_id = ?2", e.state().name(), e.agentId());
    }

    /**
     * READY since the event's time, in one statement with the agent's groups that have a caller waiting:
     * no row when the agent is unknown, one row with no group when none of its groups has a caller.
     */
    private List<Object[]> readyWithCallers(AgentStateChanged e) {
        return sql.rows("WITH u AS (UPDATE agent_view SET state = 'READY', ready_since = ?1 WHERE agent_id = ?2"
                        + " RETURNING agent_id)"
                        + " SELECT u.agent_id, s.skill_group_id FROM u LEFT JOIN agent_skill_view s ON s.agent_id = u.agent_id"
                        + " AND EXISTS (SELECT 1 FROM queue_entry q WHERE q.skill_group = s.skill_group_id AND q.state = 'WAITING')"
                        + " ORDER BY s.skill_group_id", Timestamp.from(e.changedAt()), e.agentId());
    }

    /** The agent's endpoint and skill groups (all of them, replacing what was known); gone when removed. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> profileChanged(AgentProfileChanged e) {
        if (e.removed()) {
            sql.update("DELETE FROM agent_view WHERE agent_id = ?1", e.agentId());
            return List.of();
        }
        ensure(e.agentId());
        sql.update("UPDATE agent_view SET endpoint = ?1 WHERE agent_id = ?2", e.endpoint(), e.agentId());
        sql.update("DELETE FROM agent_skill_view WHERE agent_id = ?1", e.agentId());
        for (SkillAssignment s : e.skills() == null ? List.<SkillAssignment>of() : e.skills()) {
            sql.update("INSERT INTO agent_skill_view (agent_id, skill_group_id, priority) VALUES (?1, ?2, ?3)"
                            + " ON CONFLICT (agent_id, skill_group_id) DO UPDATE SET priority = excluded.priority",
                    e.agentId(), s.skillGroupId(), s.priority());
        }
        return groupsOf(e.agentId());
    }

    /** A group's reception limit; the group's callers may be served when it grew. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> skillGroupChanged(SkillGroupChanged e) {
        if (e.removed()) {
            sql.update("DELETE FROM skill_group_view WHERE id = ?1", e.skillGroupId());
            return List.of();
        }
        sql.update("INSERT INTO skill_group_view (id, reception_limit) VALUES (?1, ?2)"
                        + " ON CONFLICT (id) DO UPDATE SET reception_limit = excluded.reception_limit",
                e.skillGroupId(), e.receptionLimit());
        return List.of(e.skillGroupId());
    }

    private List<String> groupsOf(String agentId) {
        return sql.values("SELECT skill_group_id FROM agent_skill_view WHERE agent_id = ?1 ORDER BY skill_group_id", agentId);
    }

    /**
     * The agent's row, inserted when missing. Looked for first: an insert's unique check on an existing
     * row waits for any transaction that updated it (a reservation, a call's end), and inside batched
     * transactions such waits made deadlocks under load.
     */
    private void ensure(String agentId) {
        if (sql.rows("SELECT 1 FROM agent_view WHERE agent_id = ?1", agentId).isEmpty()) {
            sql.update("INSERT INTO agent_view (agent_id) VALUES (?1) ON CONFLICT (agent_id) DO NOTHING", agentId);
        }
    }
}
