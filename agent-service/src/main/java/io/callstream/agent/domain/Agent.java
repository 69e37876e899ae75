package io.callstream.agent.domain;

import io.callstream.contracts.agent.AgentRole;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A person who answers calls, or manages or reviews them (table {@code agent}). */
@Entity
@Table(name = "agent")
public class Agent extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "staff_number")
    public String staffNumber;

    public String name;

    public String nickname;

    public String email;

    public String phone;

    public String extension;

    @Enumerated(EnumType.STRING)
    public AgentRole role;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
