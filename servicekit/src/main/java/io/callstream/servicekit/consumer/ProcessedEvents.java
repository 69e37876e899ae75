package io.callstream.servicekit.consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** The processed-event table: which event ids each consumer has already applied. */
@ApplicationScoped
public class ProcessedEvents {
    private final EntityManager em;

    ProcessedEvents(EntityManager em) {
        this.em = em;
    }

    /**
     * Records that {@code consumer} applies {@code eventId} in the current transaction; false if it
     * already did (then the caller must do nothing). The row commits or rolls back with the effect.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean markProcessed(String consumer, String eventId) {
        return em.createNativeQuery("INSERT INTO processed_event (consumer, event_id) VALUES (?1, ?2)"
                        + " ON CONFLICT DO NOTHING")
                .setParameter(1, consumer)
                .setParameter(2, eventId)
                .executeUpdate() == 1;
    }

    @Transactional
    public int forgetBefore(java.time.Instant cutoff) {
        return em.createNativeQuery("DELETE FROM processed_event WHERE processed_at < ?1")
                .setParameter(1, java.sql.Timestamp.from(cutoff))
                .executeUpdate();
    }
}
