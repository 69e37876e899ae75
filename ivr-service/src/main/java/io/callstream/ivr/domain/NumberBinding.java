package io.callstream.ivr.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** An inbound number and the flow its calls run. */
@Entity
@Table(name = "number_binding")
public class NumberBinding extends PanacheEntityBase {
    @Id
    public String number;

    @Column(name = "flow_id")
    public UUID flowId;

    @Column(name = "bound_at")
    public Instant boundAt;

    @Column(name = "bound_by")
    public String boundBy;
}
