package io.callstream.servicekit.consumer;

import io.callstream.servicekit.tx.BoundedDelete;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The processed-event table: which event ids each consumer has already applied. */
@ApplicationScoped
public class ProcessedEvents {
    private static final String INSERT = "INSERT INTO processed_event (consumer, event_id) SELECT ?, id FROM unnest(?::text[]) AS i (id)"
            + " ON CONFLICT DO NOTHING RETURNING event_id";

    private final DataSource dataSource;

    ProcessedEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records that {@code consumer} applies {@code eventIds} in the current transaction, in one statement;
     * returns the ids it had not applied yet (each once, however often it is in {@code eventIds}), as a set
     * the caller may change — for the others the caller must do nothing. The rows commit or roll back with
     * the effect. {@code prefetch}'s query, when not null, runs in the same round trip (one multi-statement
     * prepared statement); its rows go to its reader before this returns.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Set<String> markProcessed(String consumer, Collection<String> eventIds, EventHandler.Prefetch prefetch) {
        return insert(consumer, new LinkedHashSet<>(eventIds), prefetch);
    }

    /**
     * One statement, on the transaction's own connection (the pool hands back the one it enlisted), the
     * same for any number of ids. Plain JDBC, not a Hibernate native query: it is the first statement of
     * every event's transaction, and Hibernate's query machinery around it (parameter binding, bulk-operation
     * bookkeeping) took more CPU than the statement's own execution (async-profiler under ivr-load: 322
     * against 192 samples).
     */
    private Set<String> insert(String consumer, Collection<String> distinctIds, EventHandler.Prefetch prefetch) {
        String sql = prefetch == null ? INSERT : INSERT + ";\n" + prefetch.sql();
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(sql)) {
            insert.setString(1, consumer);
            insert.setArray(2, c.createArrayOf("text", distinctIds.toArray()));
            if (prefetch != null) {
                prefetch.binder().bind(c, insert, 3);
            }
            insert.execute();
            Set<String> fresh = new HashSet<>();
            try (ResultSet rs = insert.getResultSet()) {
                while (rs.next()) {
                    fresh.add(rs.getString(1));
                }
            }
            if (prefetch != null) {
                if (!insert.getMoreResults()) {
                    throw new IllegalStateException("the prefetch query returned no rows: " + prefetch.sql());
                }
                try (ResultSet rs = insert.getResultSet()) {
                    prefetch.reader().read(rs);
                }
            }
            return fresh;
        } catch (SQLException e) {
            throw new IllegalStateException("recording processed events of " + consumer + " failed", e);
        }
    }

    /**
     * Forgets the ids processed before {@code cutoff}, in rounds of {@value BoundedDelete#ROWS_PER_ROUND} rows (each
     * its own transaction, so a week's worth is never one statement); returns how many.
     */
    public long forgetBefore(java.time.Instant cutoff) {
        return forgetBefore(cutoff, BoundedDelete.ROWS_PER_ROUND);
    }

    long forgetBefore(java.time.Instant cutoff, int perRound) {
        return BoundedDelete.rounds(dataSource, perRound, "DELETE FROM processed_event WHERE (consumer, event_id) IN"
                + " (SELECT consumer, event_id FROM processed_event WHERE processed_at < ? LIMIT ?)", java.sql.Timestamp.from(cutoff));
    }
}
