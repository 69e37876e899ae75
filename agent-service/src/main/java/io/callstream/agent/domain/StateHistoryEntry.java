package io.callstream.agent.domain;

import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One state change of one agent (table {@code agent_state_history}); kept after the agent is deleted. */
@Entity
@Table(name = "agent_state_history")
public class StateHistoryEntry extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "agent_id")
    public UUID agentId;

    @Enumerated(EnumType.STRING)
    public AgentState state;

    public String reason;

    @Enumerated(EnumType.STRING)
    @Column(name = "previous_state")
    public AgentState previousState;

    @Enumerated(EnumType.STRING)
    public AgentStateCause cause;

    @Column(name = "call_id")
    public String callId;

    @Column(name = "skill_group_id")
    public String skillGroupId;

    @Column(name = "changed_at")
    public Instant changedAt;
}
