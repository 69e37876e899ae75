package io.callstream.agent.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** How satisfied the caller of one call was with the agent who served it (table {@code satisfaction_record}). */
@Entity
@Table(name = "satisfaction_record")
public class SatisfactionRecord extends PanacheEntityBase {
    @Id
    @Column(name = "call_id")
    public String callId;

    @Column(name = "session_id")
    public String sessionId;

    @Column(name = "agent_id")
    public String agentId;

    @Column(name = "skill_group_id")
    public String skillGroupId;

    /** Null when the caller left the survey without pressing a key. */
    public String key;

    public String label;

    @Column(name = "no_input")
    public boolean noInput;

    @Column(name = "collected_at")
    public Instant collectedAt;
}
