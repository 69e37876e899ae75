package io.callstream.ivr.engine;

import io.callstream.contracts.ivr.KeyPress;
import io.callstream.ivr.domain.IvrSession;
import io.callstream.servicekit.consumer.EventHandler;
import io.callstream.servicekit.tx.Columns;
import io.callstream.servicekit.tx.CommitWrites;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The IVR sessions and their key presses as the engine reads and writes them: plain JDBC on the
 * transaction's connection, not Hibernate. A session is read once per transaction (then kept in the
 * transaction's map by call id); whatever the engine changed on it, and the sessions and key presses it
 * created, are written as the transaction begins to commit, in the one round trip of its
 * {@link CommitWrites} (with the outbox's rows).
 *
 * <p>Why: a step of the engine was a Hibernate query for the session, Hibernate's flush of it (an update,
 * plus an insert per key press) and the outbox's insert, each a round trip, and Hibernate's
 * machinery around the query and the flush took more of ivr-service's CPU than the statements did. A
 * step is now the processed-event insert with the session read ({@link #prefetch}, one round trip), one
 * write, and the commit.
 *
 * <p>A session changed by another transaction since it was read (an HTTP result, a queue announcement
 * and a call event racing) is not overwritten: its row version no longer matches, and the commit fails
 * with an {@link OptimisticLockException}, as Hibernate's versioned update did. {@link IvrSession} stays a
 * mapped entity for reading (REST, the flows' in-use check, tests); the engine never hands one to
 * Hibernate.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
class SessionStore {
    private static final Object KEY = new Object();
    private static final String COLUMNS = "id, call_id, flow_id, flow_version, node_id, status, state, pending_command,"
            + " announce_at, started_at, updated_at, row_version";
    /** {@code call_id} is unique: a call has at most one session, running or ended. */
    private static final String BY_CALL = "SELECT " + COLUMNS + " FROM ivr_session WHERE call_id = ?";
    private static final String BY_CALLS = "SELECT " + COLUMNS + " FROM ivr_session WHERE call_id = ANY (?::text[])";
    private static final String DUE = "SELECT " + COLUMNS + " FROM ivr_session WHERE announce_at <= ?::timestamptz"
            + " ORDER BY announce_at LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String WAITING_FOR_HTTP = "SELECT " + COLUMNS + " FROM ivr_session"
            + " WHERE status = 'RUNNING' AND pending_command LIKE 'http:%'";
    private static final String TRAIL = "SELECT seq, node_id, label, keys, pressed_at FROM ivr_key_press"
            + " WHERE session_id = ? ORDER BY seq";
    private static final String INSERT = "INSERT INTO ivr_session (" + COLUMNS + ")"
            + " SELECT id, call_id, flow_id, flow_version, node_id, status, state, pending_command,"
            + " announce_at::timestamptz, started_at::timestamptz, updated_at::timestamptz, 0"
            + " FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[])"
            + " AS r (id, call_id, flow_id, flow_version, node_id, status, state, pending_command, announce_at, started_at, updated_at)";
    /**
     * Only a row still at the version read: a session another transaction changed meanwhile is not
     * overwritten. One statement per session (all in the same round trip): an {@code UPDATE … FROM
     * unnest(arrays)} was planned anew at every execution (PostgreSQL kept preferring a custom plan to the
     * generic one, whose estimate assumes ten rows), which put PostgreSQL's CPU up by a quarter under ivr-load.
     */
    private static final String UPDATE = "UPDATE ivr_session SET node_id = ?, status = ?, state = ?, pending_command = ?,"
            + " announce_at = ?::timestamptz, updated_at = ?::timestamptz, row_version = row_version + 1"
            + " WHERE id = ? AND row_version = ?";
    private static final String INSERT_KEYS = "INSERT INTO ivr_key_press (session_id, seq, node_id, label, keys, pressed_at)"
            + " SELECT session_id, seq, node_id, label, keys, pressed_at::timestamptz"
            + " FROM unnest(?::uuid[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[])"
            + " AS k (session_id, seq, node_id, label, keys, pressed_at)";

    private static final String[] INSERT_TYPES = {"uuid", "text", "uuid", "int4", "text", "text", "text", "text", "text", "text", "text"};
    private static final String[] PRESS_TYPES = {"uuid", "int4", "text", "text", "text", "text"};

    private final DataSource dataSource;
    private final CommitWrites writes;

    SessionStore(DataSource dataSource, CommitWrites writes) {
        this.dataSource = dataSource;
        this.writes = writes;
    }

    /** The call's session, running or ended; null if it never had one. Read once per transaction. */
    IvrSession ofCall(String callId) {
        Tx tx = tx();
        if (tx.byCall.containsKey(callId)) {
            Tracked t = tx.byCall.get(callId);
            return t == null ? null : t.session;
        }
        List<IvrSession> found = query(BY_CALL, (c, ps) -> ps.setString(1, callId));
        IvrSession s = found.isEmpty() ? null : found.get(0);
        tx.byCall.put(callId, s == null ? null : new Tracked(s, false));
        return s;
    }

    /**
     * The sessions of these calls, read in the round trip that records the transaction's events as
     * processed (servicekit's {@link EventHandler.Prefetch}): {@link #ofCall} then finds them, or that a
     * call has none, without a query of its own. Null when there is no call to read.
     */
    EventHandler.Prefetch prefetch(Collection<String> callIds) {
        String[] ids = callIds.stream().filter(Objects::nonNull).distinct().toArray(String[]::new);
        if (ids.length == 0) {
            return null;
        }
        return new EventHandler.Prefetch(BY_CALLS, (c, ps, first) -> ps.setArray(first, c.createArrayOf("text", ids)), rs -> {
            Tx tx = tx();
            while (rs.next()) {
                IvrSession s = session(rs);
                tx.byCall.putIfAbsent(s.callId, new Tracked(s, false));
            }
            for (String id : ids) {
                tx.byCall.putIfAbsent(id, null); // no session (yet): what ofCall would have found
            }
        });
    }

    /** A new session, inserted as the transaction commits (with whatever the engine changes on it before that). */
    void created(IvrSession s) {
        tx().byCall.put(s.callId, new Tracked(s, true));
    }

    /** Up to {@code max} sessions whose queue announcement is due, locked (rows another transaction holds are skipped). */
    List<IvrSession> dueAnnouncements(Instant now, int max) {
        return tracked(query(DUE, (c, ps) -> {
            ps.setString(1, now.toString());
            ps.setInt(2, max);
        }));
    }

    /** The running sessions waiting for an HTTP call's result. */
    List<IvrSession> waitingForHttp() {
        return tracked(query(WAITING_FOR_HTTP, (c, ps) -> {
        }));
    }

    /** Appends a key press to the session's trail (written as the transaction commits). */
    void keyPressed(UUID sessionId, int seq, String nodeId, String label, String keys, Instant at) {
        tx().presses.add(new Press(sessionId, seq, new KeyPress(nodeId, label, keys, at)));
    }

    /** The session's trail, oldest first: the rows written so far and this transaction's presses. */
    List<KeyPress> trail(UUID sessionId) {
        List<Press> all = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(TRAIL)) {
            ps.setObject(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(new Press(sessionId, rs.getInt(1), new KeyPress(rs.getString(2), rs.getString(3), rs.getString(4),
                            Columns.instant(rs.getObject(5, OffsetDateTime.class)))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the key trail of session " + sessionId + " failed", e);
        }
        for (Press p : tx().presses) {
            if (p.sessionId.equals(sessionId)) {
                all.add(p);
            }
        }
        all.sort(Comparator.comparingInt(Press::seq));
        return all.stream().map(Press::press).toList();
    }

    // ------------------------------------------------------------------

    private record Press(UUID sessionId, int seq, KeyPress press) {
    }

    /** A session this transaction holds, and its columns as last read or written (to tell whether it changed). */
    private static final class Tracked {
        final IvrSession session;
        boolean inserted;
        String nodeId;
        String status;
        String state;
        String pendingCommand;
        Instant announceAt;
        Instant updatedAt;

        Tracked(IvrSession session, boolean created) {
            this.session = session;
            this.inserted = !created;
            if (!created) {
                remember();
            }
        }

        void remember() {
            nodeId = session.nodeId;
            status = session.status;
            state = session.state;
            pendingCommand = session.pendingCommand;
            announceAt = session.announceAt;
            updatedAt = session.updatedAt;
        }

        boolean changed() {
            return !(Objects.equals(nodeId, session.nodeId) && Objects.equals(status, session.status)
                    && Objects.equals(state, session.state) && Objects.equals(pendingCommand, session.pendingCommand)
                    && Objects.equals(announceAt, session.announceAt) && Objects.equals(updatedAt, session.updatedAt));
        }
    }

    /** One transaction's sessions (by call id; null: the call has none) and new key presses. */
    private static final class Tx implements CommitWrites.Write {
        final Map<String, Tracked> byCall = new HashMap<>();
        final List<Press> presses = new ArrayList<>();

        @Override
        public void prepare(CommitWrites.Batch batch) {
            List<Tracked> inserts = new ArrayList<>();
            List<Tracked> updates = new ArrayList<>();
            for (Tracked t : byCall.values()) {
                if (t == null) {
                    continue;
                }
                if (!t.inserted) {
                    inserts.add(t);
                } else if (t.changed()) {
                    updates.add(t);
                }
            }
            // the columns as they are now (the binders run after this returns, when the row versions have moved on)
            if (!inserts.isEmpty()) {
                Object[][] col = insertColumns(inserts);
                batch.add(INSERT, CommitWrites.arrays(INSERT_TYPES, col), CommitWrites.Written.ANY);
            }
            for (Tracked t : updates) {
                IvrSession s = t.session;
                Object[] values = {s.nodeId, s.status, s.state, s.pendingCommand, text(s.announceAt), text(s.updatedAt), s.id,
                        s.rowVersion};
                batch.add(UPDATE, (c, ps, first) -> {
                    for (Object v : values) {
                        ps.setObject(first++, v);
                    }
                    return first;
                }, count -> {
                    if (count != 1) {
                        throw new OptimisticLockException("IVR session " + s.id + " (call " + s.callId
                                + ") changed in another transaction meanwhile");
                    }
                });
            }
            if (!presses.isEmpty()) {
                Object[][] col = pressColumns(presses);
                batch.add(INSERT_KEYS, CommitWrites.arrays(PRESS_TYPES, col), CommitWrites.Written.ANY);
                presses.clear();
            }
            for (Tracked t : inserts) {
                t.inserted = true;
                t.remember();
            }
            for (Tracked t : updates) {
                t.session.rowVersion++;
                t.remember();
            }
        }

        private static Object[][] insertColumns(List<Tracked> rows) {
            int n = rows.size();
            Object[][] col = new Object[11][n];
            for (int i = 0; i < n; i++) {
                IvrSession s = rows.get(i).session;
                col[0][i] = s.id;
                col[1][i] = s.callId;
                col[2][i] = s.flowId;
                col[3][i] = s.flowVersion;
                col[4][i] = s.nodeId;
                col[5][i] = s.status;
                col[6][i] = s.state;
                col[7][i] = s.pendingCommand;
                col[8][i] = text(s.announceAt);
                col[9][i] = text(s.startedAt);
                col[10][i] = text(s.updatedAt);
            }
            return col;
        }

        private static Object[][] pressColumns(List<Press> rows) {
            int n = rows.size();
            Object[][] col = new Object[6][n];
            for (int i = 0; i < n; i++) {
                Press p = rows.get(i);
                col[0][i] = p.sessionId;
                col[1][i] = p.seq;
                col[2][i] = p.press.nodeId();
                col[3][i] = p.press.label();
                col[4][i] = p.press.keys();
                col[5][i] = text(p.press.at());
            }
            return col;
        }

        private static String text(Instant at) {
            return at == null ? null : at.toString();
        }
    }

    private Tx tx() {
        return writes.join(KEY, Tx::new);
    }

    /** Sessions a query found, held by this transaction from now on (a session it already holds stays the one it has). */
    private List<IvrSession> tracked(List<IvrSession> found) {
        Tx tx = tx();
        List<IvrSession> held = new ArrayList<>(found.size());
        for (IvrSession s : found) {
            Tracked t = tx.byCall.get(s.callId);
            if (t == null) {
                t = new Tracked(s, false);
                tx.byCall.put(s.callId, t);
            }
            held.add(t.session);
        }
        return held;
    }

    /** A row of {@link #COLUMNS}. */
    private static IvrSession session(ResultSet rs) throws SQLException {
        IvrSession s = new IvrSession();
        s.id = rs.getObject(1, UUID.class);
        s.callId = rs.getString(2);
        s.flowId = rs.getObject(3, UUID.class);
        s.flowVersion = rs.getInt(4);
        s.nodeId = rs.getString(5);
        s.status = rs.getString(6);
        s.state = rs.getString(7);
        s.pendingCommand = rs.getString(8);
        s.announceAt = Columns.instant(rs.getObject(9, OffsetDateTime.class));
        s.startedAt = Columns.instant(rs.getObject(10, OffsetDateTime.class));
        s.updatedAt = Columns.instant(rs.getObject(11, OffsetDateTime.class));
        s.rowVersion = rs.getInt(12);
        return s;
    }

    @FunctionalInterface
    private interface Params {
        void set(Connection c, PreparedStatement ps) throws SQLException;
    }

    private List<IvrSession> query(String sql, Params params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            params.set(c, ps);
            List<IvrSession> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(session(rs));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new IllegalStateException("reading IVR sessions failed", e);
        }
    }
}
