package io.callstream.servicekit.tx;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a transaction makes as it begins to commit, sent to the database in one round trip.
 *
 * <p>A component that defers its writes to the commit (the outbox's rows, a service's own state kept
 * out of Hibernate) {@linkplain #join joins} the current transaction with a {@link Write}. In the
 * transaction's {@code beforeCompletion} every joined write adds its statements to one {@link Batch};
 * they go to PostgreSQL as one multi-statement prepared statement (the driver sends each statement's
 * parse, bind and execute, then a single sync), on the transaction's own connection, so they commit or
 * roll back with everything else it did. A write that throws, or whose statement fails, rolls the
 * transaction back.
 *
 * <p>Why: every statement is a round trip, paid on both sides (a socket write and read in the service, a
 * wake-up of the backend); a step of the IVR engine was five of them plus the commit.
 *
 * <p>Writes joined, or changed, after the batch ran (from another synchronization's
 * {@code beforeCompletion}) are run at once, alone, when their owner says so with {@link #changed}.
 */
@ApplicationScoped
public class CommitWrites {
    private static final Object PENDING = new Object();

    /** Something a transaction writes as it begins to commit. */
    public interface Write {
        /**
         * Adds what is to be written now (possibly nothing) to {@code batch}. Called once as the
         * transaction begins to commit, and again for every {@link #changed} after that.
         */
        void prepare(Batch batch);
    }

    /** Sets one statement's parameters, from {@code first} on; returns the next free index. */
    @FunctionalInterface
    public interface Binder {
        int bind(Connection c, PreparedStatement ps, int first) throws SQLException;
    }

    /**
     * A binder of whole columns as arrays ({@code unnest(?::uuid[], ?::text[], …)}): column {@code k}, of SQL
     * array element type {@code types[k]}, from parameter {@code first + k}. The values are taken as they are now.
     */
    public static Binder arrays(String[] types, Object[][] columns) {
        if (types.length != columns.length) {
            throw new IllegalArgumentException(types.length + " types for " + columns.length + " columns");
        }
        return (c, ps, first) -> {
            for (int k = 0; k < columns.length; k++) {
                ps.setArray(first + k, c.createArrayOf(types[k], columns[k]));
            }
            return first + columns.length;
        };
    }

    /** Told a statement's update count once the batch ran; may throw (a lost update) to roll back. */
    @FunctionalInterface
    public interface Written {
        void rows(long count);

        Written ANY = count -> {
        };
    }

    /** The statements of one round trip, in the order they were added. */
    public static final class Batch {
        private final List<String> sql = new ArrayList<>();
        private final List<Binder> binders = new ArrayList<>();
        private final List<Written> checks = new ArrayList<>();

        /** One statement ({@code ?} parameters, no {@code ;}), bound by {@code binder}, its count to {@code written}. */
        public void add(String statement, Binder binder, Written written) {
            if (statement.indexOf(';') >= 0) {
                throw new IllegalArgumentException("one statement per add: " + statement);
            }
            sql.add(statement);
            binders.add(binder);
            checks.add(written);
        }

        public boolean isEmpty() {
            return sql.isEmpty();
        }

        int size() {
            return sql.size();
        }
    }

    private final DataSource dataSource;
    private final TransactionSynchronizationRegistry transactions;

    CommitWrites(DataSource dataSource, TransactionSynchronizationRegistry transactions) {
        this.dataSource = dataSource;
        this.transactions = transactions;
    }

    /**
     * The current transaction's write for {@code key}: created with {@code create} and joined at the
     * first call (the transaction's connection is enlisted then, not while it commits), the same object
     * after that.
     */
    @SuppressWarnings("unchecked")
    public <W extends Write> W join(Object key, Supplier<W> create) {
        Pending pending = pending();
        Write w = pending.writes.get(key);
        if (w == null) {
            w = create.get();
            pending.writes.put(key, w);
            if (pending.ran) {
                run(List.of(w)); // joined from a synchronization after the batch: nothing to write yet, usually
            }
        }
        return (W) w;
    }

    /** {@code w} has more to write: if this transaction's batch already ran, it is written now. */
    public void changed(Write w) {
        Pending pending = (Pending) transactions.getResource(PENDING);
        if (pending != null && pending.ran) {
            run(List.of(w));
        }
    }

    private Pending pending() {
        Pending pending = (Pending) transactions.getResource(PENDING);
        if (pending == null) {
            // the transaction's connection now: the pool enlists it in the transaction (or hands back the one it has)
            try (Connection ignored = dataSource.getConnection()) {
                // enlisted
            } catch (SQLException e) {
                throw new IllegalStateException("no database connection for the transaction's writes", e);
            }
            pending = new Pending();
            transactions.putResource(PENDING, pending);
            transactions.registerInterposedSynchronization(pending);
        }
        return pending;
    }

    private final class Pending implements Synchronization {
        final Map<Object, Write> writes = new LinkedHashMap<>();
        boolean ran;

        @Override
        public void beforeCompletion() {
            ran = true;
            run(new ArrayList<>(writes.values()));
        }

        @Override
        public void afterCompletion(int status) {
        }
    }

    private void run(List<Write> writes) {
        Batch batch = new Batch();
        for (Write w : writes) {
            w.prepare(batch);
        }
        if (batch.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(String.join(";\n", batch.sql))) {
            int next = 1;
            for (Binder b : batch.binders) {
                next = b.bind(c, ps, next);
            }
            ps.execute();
            for (int i = 0; i < batch.size(); i++) {
                if (i > 0) {
                    ps.getMoreResults();
                }
                batch.checks.get(i).rows(ps.getLargeUpdateCount());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the transaction's writes failed (" + batch.size() + " statements)", e);
        }
    }
}
