package io.callstream.servicekit.tx;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Values of native-query result columns, as the JDBC driver and Hibernate hand them over. */
public final class Columns {

    /** A {@code timestamptz} column (Timestamp, OffsetDateTime or Instant); null stays null. */
    public static Instant instant(Object column) {
        if (column == null || column instanceof Instant) {
            return (Instant) column;
        }
        if (column instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (column instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("not a timestamp: " + column.getClass().getName());
    }

    private Columns() {
    }
}
