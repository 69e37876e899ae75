package io.callstream.agent.service;

import io.callstream.agent.config.AgentConfig;
import io.callstream.agent.domain.Agent;
import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.servicekit.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.UUID;

/**
 * {@code io.callstream.agent.profile-changed}, the whole profile with every skill group, keyed by the
 * agent id: routing keeps its view of agents from these, so every change of an agent or of its
 * memberships publishes one, in the transaction that made the change.
 */
@ApplicationScoped
public class ProfileEvents {
    private final EntityManager em;
    private final Outbox outbox;
    private final AgentConfig config;

    ProfileEvents(EntityManager em, Outbox outbox, AgentConfig config) {
        this.em = em;
        this.outbox = outbox;
        this.config = config;
    }

    public String endpoint(String extension) {
        return config.endpointTechnology() + "/" + extension;
    }

    /** The agent's skill groups as stored now (pending changes flushed), highest priority first. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<SkillAssignment> skills(UUID agentId) {
        return em.createQuery("SELECT new io.callstream.contracts.agent.SkillAssignment(k.skillGroupId, k.priority)"
                        + " FROM AgentSkill k WHERE k.agentId = :agent ORDER BY k.priority, k.skillGroupId", SkillAssignment.class)
                .setParameter("agent", agentId).getResultList();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void publish(Agent a, List<SkillAssignment> skills, boolean removed) {
        outbox.publish(a.id.toString(), event(a.id, a.staffNumber, a.name, a.nickname, a.extension, a.role, skills, removed));
    }

    AgentProfileChanged event(UUID id, String staffNumber, String name, String nickname, String extension,
                              io.callstream.contracts.agent.AgentRole role, List<SkillAssignment> skills, boolean removed) {
        return new AgentProfileChanged(id.toString(), staffNumber, name, nickname, extension, endpoint(extension), role,
                skills, removed);
    }
}
