package io.callstream.ivr.domain;

import io.callstream.ivr.flow.FlowKind;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.UUID;

/** A flow: its editable draft (a FlowDocument as JSON) and the published version calls start with. */
@Entity
@Table(name = "flow")
public class Flow extends PanacheEntityBase {
    @Id
    public UUID id;

    public String name;

    @Enumerated(EnumType.STRING)
    public FlowKind kind;

    public String description;

    /** The FlowDocument being edited, as JSON; always valid (saving an invalid flow is refused). */
    public String draft;

    /** The version new calls start with; null until the first publish. */
    @Column(name = "active_version")
    public Integer activeVersion;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    @Column(name = "row_version")
    public int rowVersion;
}
