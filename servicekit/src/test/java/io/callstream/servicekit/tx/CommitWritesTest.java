package io.callstream.servicekit.tx;

import io.callstream.servicekit.ServicekitTestResources;
import io.callstream.servicekit.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CommitWrites} against the test app's PostgreSQL: one round trip at commit, all or nothing. */
@QuarkusTest
class CommitWritesTest {
    private static final String INSERT = "INSERT INTO widget_effect (event_id, note) VALUES (?, ?)";
    private static final String RENAME = "UPDATE widget_effect SET note = ? WHERE event_id = ?";

    @Inject
    CommitWrites writes;
    @Inject
    Outbox outbox;
    @Inject
    TransactionSynchronizationRegistry transactions;
    @Inject
    DataSource dataSource;

    /** A write of rows (event id → note), and the update counts its statements got. */
    static final class Notes implements CommitWrites.Write {
        final List<String[]> rows = new ArrayList<>();
        final List<Long> counts = new ArrayList<>();
        String sql = INSERT;
        CommitWrites.Written check;

        @Override
        public void prepare(CommitWrites.Batch batch) {
            for (String[] row : rows) {
                batch.add(sql, (c, ps, first) -> {
                    ps.setString(first, row[0]);
                    ps.setString(first + 1, row[1]);
                    return first + 2;
                }, count -> {
                    counts.add(count);
                    if (check != null) {
                        check.rows(count);
                    }
                });
            }
            rows.clear();
        }
    }

    @Test
    void aTransactionsWritesRunInJoinOrderAtCommitWithTheirUpdateCounts() {
        String id = "cw-" + UUID.randomUUID();
        Object firstKey = new Object();
        Object secondKey = new Object();
        List<Notes> joined = new ArrayList<>();
        List<String> seenBeforeCommit = new ArrayList<>();
        QuarkusTransaction.requiringNew().run(() -> {
            Notes insert = writes.join(firstKey, Notes::new);
            assertSame(insert, writes.join(firstKey, Notes::new), "one write per key and transaction");
            insert.rows.add(new String[] {id, "inserted"});
            Notes rename = writes.join(secondKey, Notes::new);
            rename.sql = RENAME; // parameters: note, event id
            rename.rows.add(new String[] {"renamed", id});
            outbox.publish(ServicekitTestResources.WIDGET_TOPIC, id, "io.callstream.test.noise", Map.of("n", 1));
            joined.add(insert);
            joined.add(rename);
            seenBeforeCommit.addAll(notes(id)); // the transaction's own connection: nothing written before it commits
        });
        assertEquals(List.of(), seenBeforeCommit);
        assertEquals(List.of("renamed"), notes(id), "the update ran after the insert, in the same transaction");
        assertEquals(List.of(1L), joined.get(0).counts);
        assertEquals(List.of(1L), joined.get(1).counts);
        assertEquals(1, outboxRows(id), "the outbox's rows went with them");
    }

    @Test
    void aWriteThatRefusesItsCountRollsTheWholeTransactionBack() {
        String id = "cw-" + UUID.randomUUID();
        RuntimeException e = assertThrows(RuntimeException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            Notes insert = writes.join(new Object(), Notes::new);
            insert.rows.add(new String[] {id, "inserted"});
            Notes lost = writes.join(new Object(), Notes::new);
            lost.sql = RENAME;
            lost.rows.add(new String[] {"renamed", "no-such-" + id});
            lost.check = count -> {
                if (count != 1) {
                    throw new IllegalStateException("lost update: " + count + " rows");
                }
            };
            outbox.publish(ServicekitTestResources.WIDGET_TOPIC, id, "io.callstream.test.noise", Map.of("n", 1));
        }));
        assertTrue(causes(e).contains("lost update: 0 rows"), causes(e));
        assertEquals(List.of(), notes(id));
        assertEquals(0, outboxRows(id));
    }

    @Test
    void aFailingStatementRollsTheWholeTransactionBack() {
        String id = "cw-" + UUID.randomUUID();
        assertThrows(RuntimeException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            Notes insert = writes.join(new Object(), Notes::new);
            insert.rows.add(new String[] {id, "inserted"});
            insert.rows.add(new String[] {id + "-2", null}); // note is NOT NULL
            outbox.publish(ServicekitTestResources.WIDGET_TOPIC, id, "io.callstream.test.noise", Map.of("n", 1));
        }));
        assertEquals(List.of(), notes(id));
        assertEquals(0, outboxRows(id));
    }

    @Test
    void aWriteChangedAfterTheBatchRanIsWrittenAtOnceInTheSameTransaction() {
        String id = "cw-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            Notes early = writes.join(new Object(), Notes::new);
            early.rows.add(new String[] {id, "early"});
            // registered after the writes' own synchronization: runs after their batch
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    early.rows.add(new String[] {id + "-late", "late"});
                    writes.changed(early);
                    Notes joinedLate = writes.join(new Object(), Notes::new);
                    joinedLate.rows.add(new String[] {id + "-joined", "joined late"});
                    writes.changed(joinedLate);
                    outbox.publish(ServicekitTestResources.WIDGET_TOPIC, id, "io.callstream.test.noise", Map.of("n", 2));
                }

                @Override
                public void afterCompletion(int status) {
                }
            });
        });
        assertEquals(List.of("early", "joined late", "late"), notes(id + "%"));
        assertEquals(1, outboxRows(id));
    }

    @Test
    void aStatementWithASemicolonIsRefused() {
        CommitWrites.Batch batch = new CommitWrites.Batch();
        assertThrows(IllegalArgumentException.class, () -> batch.add("SELECT 1; DROP TABLE widget", (c, ps, first) -> first,
                CommitWrites.Written.ANY));
        assertTrue(batch.isEmpty());
    }

    private List<String> notes(String idPattern) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT note FROM widget_effect WHERE event_id LIKE ? ORDER BY note")) {
            q.setString(1, idPattern);
            List<String> notes = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    notes.add(rs.getString(1));
                }
            }
            return notes;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private int outboxRows(String key) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT count(*) FROM outbox_message WHERE message_key = ?")) {
            q.setString(1, key);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append(" / ");
        }
        return all.toString();
    }
}
