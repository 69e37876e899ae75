package io.callstream.servicekit.tx;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Native SQL on the current transaction's connection, in plain JDBC: what a service's hot path used
 * Hibernate native queries for. Statements keep Hibernate's numbered parameters ({@code ?1}, which may
 * appear more than once); the values are given in that numbering.
 *
 * <p>Why: under load, Hibernate's machinery around a native query (parameter binding, result
 * transformation, the bulk-operation bookkeeping that marks every cached entity region stale) cost
 * more CPU than the statement's own execution (async-profiler under ivr-load, the processed-event
 * insert: 322 against 192 samples), and routing's assignment is a dozen of them.
 *
 * <p>Results come as the driver gives them: {@code bigint} as {@link Long}, {@code integer} as
 * {@link Integer}, {@code numeric} as {@link java.math.BigDecimal}, {@code boolean} as {@link Boolean},
 * {@code timestamptz} as {@link java.sql.Timestamp} (see {@link Columns#instant}). Inside a JTA transaction
 * the pool hands back the connection it enlisted, so what runs here commits or rolls back with it.
 */
@ApplicationScoped
public class Sql {
    private final DataSource dataSource;
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    Sql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** An INSERT, UPDATE or DELETE; returns the rows it changed. */
    public int update(String sql, Object... params) {
        Parsed p = parse(sql);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.jdbc)) {
            p.bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    /** The rows of a query (or of a statement with {@code RETURNING}), each its columns in order. */
    public List<Object[]> rows(String sql, Object... params) {
        Parsed p = parse(sql);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.jdbc)) {
            p.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                List<Object[]> rows = new ArrayList<>();
                while (rs.next()) {
                    Object[] row = new Object[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    /** The first column of each row. */
    @SuppressWarnings("unchecked")
    public <T> List<T> values(String sql, Object... params) {
        List<Object[]> rows = rows(sql, params);
        List<T> values = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            values.add((T) r[0]);
        }
        return values;
    }

    /** The one row a query returns (an aggregate, say); an error when it returns none. */
    public Object[] single(String sql, Object... params) {
        List<Object[]> rows = rows(sql, params);
        if (rows.isEmpty()) {
            throw new IllegalStateException("no row from: " + sql);
        }
        return rows.get(0);
    }

    /** Whether a query returns any row. */
    public boolean exists(String sql, Object... params) {
        return !rows(sql, params).isEmpty();
    }

    private static IllegalStateException failed(String sql, SQLException e) {
        return new IllegalStateException("SQL failed: " + e.getMessage() + " [" + sql + "]", e);
    }

    private Parsed parse(String sql) {
        Parsed p = parsed.get(sql);
        if (p == null) {
            p = Parsed.of(sql);
            if (parsed.size() < 1000) { // statements are constants; a built one must not grow this without bound
                parsed.put(sql, p);
            }
        }
        return p;
    }

    /** A statement with {@code ?N} turned into JDBC's {@code ?}, and which numbered value each takes (1-based). */
    record Parsed(String jdbc, int[] order) {
        static Parsed of(String sql) {
            StringBuilder jdbc = new StringBuilder(sql.length());
            List<Integer> order = new ArrayList<>();
            boolean quoted = false;
            for (int i = 0; i < sql.length(); i++) {
                char ch = sql.charAt(i);
                if (ch == '\'') {
                    quoted = !quoted;
                } else if (ch == '?' && !quoted) {
                    int j = i + 1;
                    while (j < sql.length() && Character.isDigit(sql.charAt(j))) {
                        j++;
                    }
                    if (j == i + 1) {
                        throw new IllegalArgumentException("parameters are numbered (?1, ?2 …): " + sql);
                    }
                    order.add(Integer.parseInt(sql.substring(i + 1, j)));
                    jdbc.append('?');
                    i = j - 1;
                    continue;
                }
                jdbc.append(ch);
            }
            return new Parsed(jdbc.toString(), order.stream().mapToInt(Integer::intValue).toArray());
        }

        void bind(PreparedStatement ps, Object[] params) throws SQLException {
            for (int i = 0; i < order.length; i++) {
                int n = order[i];
                if (n < 1 || n > params.length) {
                    throw new IllegalArgumentException("no value for ?" + n + " (" + params.length + " given): " + jdbc);
                }
                ps.setObject(i + 1, params[n - 1]);
            }
        }
    }
}
