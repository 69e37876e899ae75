package io.callstream.agent.domain;

import io.callstream.contracts.agent.AgentState;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** Where an agent is now, and what its state machine needs to go on (table {@code agent_state}; one row per agent). */
@Entity
@Table(name = "agent_state")
public class AgentStatus extends PanacheEntityBase {
    @Id
    @Column(name = "agent_id")
    public UUID agentId;

    @Enumerated(EnumType.STRING)
    public AgentState state;

    public String reason;

    public Instant since;

    @Column(name = "call_id")
    public String callId;

    @Column(name = "skill_group_id")
    public String skillGroupId;

    @Enumerated(EnumType.STRING)
    @Column(name = "resume_state")
    public AgentState resumeState;

    @Column(name = "resume_reason")
    public String resumeReason;

    @Enumerated(EnumType.STRING)
    @Column(name = "after_call_state")
    public AgentState afterCallState;

    @Column(name = "after_call_reason")
    public String afterCallReason;

    @Column(name = "acw_until")
    public Instant acwUntil;

    @Column(name = "missed_in_row")
    public int missedInRow;

    @Column(name = "forced_offline")
    public boolean forcedOffline;

    /** A new agent's row: offline. */
    public static AgentStatus offline(UUID agentId, Instant at) {
        AgentStatus s = new AgentStatus();
        s.agentId = agentId;
        s.state = AgentState.OFFLINE;
        s.since = at;
        return s;
    }
}
