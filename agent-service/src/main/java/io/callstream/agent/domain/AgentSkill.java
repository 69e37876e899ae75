package io.callstream.agent.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/** An agent's membership of a skill group, with its priority there (table {@code agent_skill}). */
@Entity
@Table(name = "agent_skill")
@IdClass(AgentSkill.Key.class)
public class AgentSkill extends PanacheEntityBase {
    @Id
    @Column(name = "agent_id")
    public UUID agentId;

    @Id
    @Column(name = "skill_group_id")
    public String skillGroupId;

    /** 1 (offered calls first) … 5 (last). */
    public int priority;

    public static class Key implements Serializable {
        public UUID agentId;
        public String skillGroupId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(agentId, k.agentId) && Objects.equals(skillGroupId, k.skillGroupId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(agentId, skillGroupId);
        }
    }
}
