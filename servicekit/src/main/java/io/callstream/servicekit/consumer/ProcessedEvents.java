package io.callstream.servicekit.consumer;

import io.callstream.servicekit.tx.BoundedDelete;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The processed-event table: which event ids each consumer has already applied. */
@ApplicationScoped
public class ProcessedEvents {
    private static final int FORGET_PER_ROUND = 5000;

    private final EntityManager em;
    private final DataSource dataSource;

    ProcessedEvents(EntityManager em, DataSource dataSource) {
        this.em = em;
        this.dataSource = dataSource;
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

    /**
     * {@link #markProcessed(String, String)} for several events in one statement; returns the ids this
     * consumer had not applied yet (each once, however often it is in {@code eventIds}), as a set the
     * caller may change.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Set<String> markProcessed(String consumer, Collection<String> eventIds) {
        Set<String> distinct = new LinkedHashSet<>(eventIds);
        if (distinct.size() <= 1) {
            distinct.removeIf(id -> !markProcessed(consumer, id));
            return distinct;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO processed_event (consumer, event_id) VALUES ");
        for (int i = 0; i < distinct.size(); i++) {
            sql.append(i == 0 ? "(?1, ?" : ", (?1, ?").append(i + 2).append(')');
        }
        Query insert = em.createNativeQuery(sql.append(" ON CONFLICT DO NOTHING RETURNING event_id").toString())
                .setParameter(1, consumer);
        int p = 2;
        for (String id : distinct) {
            insert.setParameter(p++, id);
        }
        @SuppressWarnings("unchecked")
        List<String> fresh = insert.getResultList();
        return new HashSet<>(fresh);
    }

    /**
     * Forgets the ids processed before {@code cutoff}, in rounds of {@value #FORGET_PER_ROUND} rows (each
     * its own transaction, so a week's worth is never one statement); returns how many.
     */
    public long forgetBefore(java.time.Instant cutoff) {
        return forgetBefore(cutoff, FORGET_PER_ROUND);
    }

    long forgetBefore(java.time.Instant cutoff, int perRound) {
        return BoundedDelete.rounds(dataSource, perRound, "DELETE FROM processed_event WHERE (consumer, event_id) IN"
                + " (SELECT consumer, event_id FROM processed_event WHERE processed_at < ? LIMIT ?)", java.sql.Timestamp.from(cutoff));
    }
}
