package io.callstream.ivr.records;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/** An agent a call was offered to (table {@code call_record_agent}): what searching records by agent reads. */
@Entity
@Table(name = "call_record_agent")
@IdClass(CallRecordAgent.Key.class)
public class CallRecordAgent extends PanacheEntityBase {
    @Id
    @Column(name = "call_id")
    public String callId;

    @Id
    @Column(name = "agent_id")
    public String agentId;

    public static class Key implements Serializable {
        public String callId;
        public String agentId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(callId, k.callId) && Objects.equals(agentId, k.agentId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(callId, agentId);
        }
    }
}
