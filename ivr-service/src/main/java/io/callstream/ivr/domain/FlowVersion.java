package io.callstream.ivr.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A published version of a flow: never changed, so a call keeps running the version it started with. */
@Entity
@Table(name = "flow_version")
@IdClass(FlowVersion.Key.class)
public class FlowVersion extends PanacheEntityBase {
    @Id
    @Column(name = "flow_id")
    public UUID flowId;

    @Id
    public int version;

    /** The FlowDocument as published, as JSON. */
    public String definition;

    @Column(name = "published_at")
    public Instant publishedAt;

    @Column(name = "published_by")
    public String publishedBy;

    public static class Key implements Serializable {
        public UUID flowId;
        public int version;

        public Key() {
        }

        public Key(UUID flowId, int version) {
            this.flowId = flowId;
            this.version = version;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && Objects.equals(k.flowId, flowId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(flowId, version);
        }
    }
}
