package io.callstream.agent.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A skill group (table {@code skill_group}); its id is what flows and routing name it by. */
@Entity
@Table(name = "skill_group")
public class SkillGroup extends PanacheEntityBase {
    @Id
    public String id;

    public String name;

    @Column(name = "reception_limit")
    public int receptionLimit;

    /** Null: the global default ({@code callstream.agent.after-call-work}). */
    @Column(name = "after_call_work_seconds")
    public Integer afterCallWorkSeconds;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
