package io.callstream.outbound.service;

import io.callstream.contracts.Json;
import io.callstream.contracts.outbound.CalleeState;
import io.callstream.outbound.rest.TaskRequest;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * Streams callees into the {@code callee} table with PostgreSQL's COPY, on the transaction's own
 * connection: a million rows go in without being held in memory, and vanish with a rollback. Rows are
 * buffered up to {@link #FLUSH_BYTES} and then written.
 */
final class CalleeWriter implements AutoCloseable {
    private static final int FLUSH_BYTES = 256 * 1024;

    private final CopyIn copy;
    private final UUID taskId;
    private final String dueAt;
    private final StringBuilder buffer = new StringBuilder(FLUSH_BYTES + 4096);
    private long nextId;
    private long written;

    /** @param firstId the id of the first callee written (the task's callees are numbered 1..n) */
    CalleeWriter(Connection connection, UUID taskId, long firstId, Instant dueAt) throws SQLException {
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY callee (task_id, id, number, variables, uui, state, next_attempt_at, updated_at) FROM STDIN");
        this.taskId = taskId;
        this.nextId = firstId;
        this.dueAt = dueAt.toString();
    }

    /** Adds one callee that passed {@link TaskRules#calleeRefusal}. */
    void add(TaskRequest.CalleeInput c) throws SQLException {
        buffer.append(taskId).append('\t').append(nextId++).append('\t');
        escape(c.number());
        buffer.append('\t');
        if (c.variables() == null || c.variables().isEmpty()) {
            buffer.append("\\N");
        } else {
            escape(new String(Json.write(c.variables()), StandardCharsets.UTF_8));
        }
        buffer.append('\t');
        if (c.uui() == null) {
            buffer.append("\\N");
        } else {
            escape(c.uui());
        }
        buffer.append('\t').append(CalleeState.PENDING.name()).append('\t').append(dueAt).append('\t').append(dueAt)
                .append('\n');
        written++;
        if (buffer.length() >= FLUSH_BYTES) {
            flush();
        }
    }

    long written() {
        return written;
    }

    /** Writes what is buffered and ends the COPY; the rows commit with the transaction. */
    long finish() throws SQLException {
        flush();
        copy.endCopy();
        return written;
    }

    private void flush() throws SQLException {
        if (buffer.length() > 0) {
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            buffer.setLength(0);
        }
    }

    /** COPY text format: backslash, tab, newline and carriage return are escaped. */
    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> buffer.append("\\\\");
                case '\t' -> buffer.append("\\t");
                case '\n' -> buffer.append("\\n");
                case '\r' -> buffer.append("\\r");
                default -> buffer.append(ch);
            }
        }
    }

    @Override
    public void close() {
        if (copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException ignored) {
                // the transaction rolls back anyway
            }
        }
    }
}
