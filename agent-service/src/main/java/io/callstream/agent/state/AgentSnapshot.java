package io.callstream.agent.state;

import io.callstream.agent.service.ProfileEvents;
import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.AgentRole;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.contracts.agent.SkillGroupChanged;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.tx.Columns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything routing-service's view of agents is made of, published again on its request
 * ({@code io.callstream.routing.agent-view-requested}): a {@code skill-group-changed} per group, a
 * {@code profile-changed} per agent, and a {@code state-changed} per agent with cause {@code SNAPSHOT}
 * and {@code changedAt} = when the agent entered its state (routing's longest-idle order needs it).
 * One transaction; the agents' state rows are read {@code FOR SHARE}, so a change committing meanwhile
 * is either read here or published after this.
 */
@ApplicationScoped
public class AgentSnapshot {
    private static final Logger LOG = Logger.getLogger(AgentSnapshot.class);

    private final EntityManager em;
    private final Outbox outbox;
    private final ProfileEvents profiles;

    AgentSnapshot(EntityManager em, Outbox outbox, ProfileEvents profiles) {
        this.em = em;
        this.outbox = outbox;
        this.profiles = profiles;
    }

    /** Publishes every group, profile and state; returns how many agents. */
    @Transactional(Transactional.TxType.MANDATORY)
    @SuppressWarnings("unchecked")
    public int publishAll(String requestedBy) {
        List<Object[]> groups = em.createNativeQuery("SELECT id, name, reception_limit, after_call_work_seconds"
                + " FROM skill_group ORDER BY id").getResultList();
        for (Object[] g : groups) {
            outbox.publish((String) g[0], new SkillGroupChanged((String) g[0], (String) g[1], ((Number) g[2]).intValue(),
                    g[3] == null ? null : ((Number) g[3]).intValue(), false));
        }
        Map<String, List<SkillAssignment>> skills = new HashMap<>();
        for (Object[] k : (List<Object[]>) em.createNativeQuery("SELECT agent_id::text, skill_group_id, priority FROM agent_skill"
                + " ORDER BY agent_id, priority, skill_group_id").getResultList()) {
            skills.computeIfAbsent((String) k[0], id -> new ArrayList<>())
                    .add(new SkillAssignment((String) k[1], ((Number) k[2]).intValue()));
        }
        List<Object[]> agents = em.createNativeQuery("SELECT a.id::text, a.staff_number, a.name, a.nickname, a.extension,"
                + " a.role, s.state, s.reason, s.since, s.skill_group_id, s.after_call_state, s.forced_offline, s.call_id"
                + " FROM agent a JOIN agent_state s ON s.agent_id = a.id ORDER BY a.id FOR SHARE OF s").getResultList();
        for (Object[] a : agents) {
            String id = (String) a[0];
            AgentProfileChanged profile = new AgentProfileChanged(id, (String) a[1], (String) a[2], (String) a[3],
                    (String) a[4], profiles.endpoint((String) a[4]), AgentRole.valueOf((String) a[5]),
                    skills.getOrDefault(id, List.of()), false);
            outbox.publish(id, profile);
            AgentState state = a[6] == null ? AgentState.OFFLINE : AgentState.valueOf((String) a[6]);
            boolean onCall = state == AgentState.RINGING || state == AgentState.BUSY || state == AgentState.AFTER_CALL_WORK;
            outbox.publish(id, new AgentStateChanged(id, state, (String) a[7], state, AgentStateCause.SNAPSHOT,
                    onCall ? (String) a[12] : null, onCall ? (String) a[9] : null,
                    a[10] == null ? null : AgentState.valueOf((String) a[10]), Boolean.TRUE.equals(a[11]),
                    a[8] == null ? Instant.now() : Columns.instant(a[8])));
        }
        LOG.infof("published %d skill groups and %d agents' profiles and states again (asked by %s)", groups.size(),
                agents.size(), requestedBy);
        return agents.size();
    }
}
