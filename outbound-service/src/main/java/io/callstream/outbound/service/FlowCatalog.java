package io.callstream.outbound.service;

import io.callstream.contracts.ivr.FlowChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.query.NativeQuery;

import java.sql.Timestamp;
import java.util.UUID;

/** The flows ivr-service announces ({@code io.callstream.ivr.flow-changed}); a task must name a published outbound one. */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class FlowCatalog {
    private final EntityManager em;

    FlowCatalog(EntityManager em) {
        this.em = em;
    }

    /** Keeps the newest announcement of each flow (announcements may arrive out of order across restarts). */
    public void flowChanged(FlowChanged f) {
        UUID id;
        try {
            id = UUID.fromString(f.flowId());
        } catch (IllegalArgumentException e) {
            return;
        }
        em.createNativeQuery("INSERT INTO known_flow (id, name, kind, active_version, deleted, changed_at) "
                        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                        + "kind = excluded.kind, active_version = excluded.active_version, deleted = excluded.deleted, "
                        + "changed_at = excluded.changed_at WHERE known_flow.changed_at <= excluded.changed_at")
                .unwrap(NativeQuery.class)
                .setParameter(1, id).setParameter(2, f.name()).setParameter(3, f.kind())
                .setParameter(4, f.activeVersion(), Integer.class)
                .setParameter(5, f.deleted()).setParameter(6, Timestamp.from(f.changedAt())).executeUpdate();
    }
}
