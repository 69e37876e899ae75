package io.callstream.servicekit.consumer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A stream's handler that may also name what it will read first: {@link #prefetch} gives a query that
 * runs in the same round trip as the processed-event insert that opens each transaction, its rows handed
 * to the handler's reader inside that transaction before any event is applied. A plain
 * {@code Consumer<IncomingEvent>} reads nothing ahead.
 *
 * <p>Why: in ivr-service every step read its call's session right after that insert; two round trips
 * where one does.
 */
public interface EventHandler extends Consumer<IncomingEvent> {

    /** What to read for these events (the ones of one transaction, duplicates included); null: nothing. */
    default Prefetch prefetch(List<IncomingEvent> events) {
        return null;
    }

    /** One query ({@code ?} parameters, no {@code ;}), its binder, and what takes its rows. */
    record Prefetch(String sql, Binder binder, Reader reader) {
        public Prefetch {
            if (sql.indexOf(';') >= 0) {
                throw new IllegalArgumentException("one statement: " + sql);
            }
        }
    }

    /** Sets the query's parameters from {@code first} on. */
    @FunctionalInterface
    interface Binder {
        void bind(Connection c, PreparedStatement ps, int first) throws SQLException;
    }

    /** Takes the query's rows, inside the transaction the events are then applied in. */
    @FunctionalInterface
    interface Reader {
        void read(ResultSet rows) throws SQLException;
    }
}
