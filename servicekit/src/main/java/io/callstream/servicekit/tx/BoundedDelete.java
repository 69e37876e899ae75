package io.callstream.servicekit.tx;

import io.quarkus.narayana.jta.QuarkusTransaction;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Deletes what a retention rule makes old in rounds of at most {@code perRound} rows, each round a short
 * transaction of its own, until a round deletes fewer. One unbounded {@code DELETE} of a busy table's
 * last hour (or week) is one long statement: minutes of WAL in one go, an hour's worth of locks held to
 * the end, and, on the thread that runs it, everything else waiting behind it.
 */
public final class BoundedDelete {
    /** The retention purges' round: small enough for a short transaction, large enough to keep up. */
    public static final int ROWS_PER_ROUND = 5000;

    private BoundedDelete() {
    }

    /**
     * Runs {@code sql} — a {@code DELETE} whose last parameter is the round's row limit, e.g. {@code DELETE
     * FROM t WHERE id IN (SELECT id FROM t WHERE created_at < ? LIMIT ?)} — with {@code params} before
     * that limit, round after round; returns how many rows went.
     */
    public static long rounds(DataSource dataSource, int perRound, String sql, Object... params) {
        if (perRound < 1) {
            throw new IllegalArgumentException("perRound must be at least 1");
        }
        long total = 0;
        int n;
        do {
            n = QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection(); PreparedStatement d = c.prepareStatement(sql)) {
                    for (int i = 0; i < params.length; i++) {
                        d.setObject(i + 1, params[i]);
                    }
                    d.setInt(params.length + 1, perRound);
                    return d.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            total += n;
        } while (n == perRound);
        return total;
    }
}
