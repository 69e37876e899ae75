package io.callstream.outbound.service;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import io.agroal.api.AgroalDataSource;
import io.callstream.contracts.Json;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.outbound.config.OutboundConfig;
import io.callstream.outbound.domain.TaskRow;
import io.callstream.outbound.rest.TaskRequest.CalleeInput;
import io.callstream.outbound.rest.UploadResult;
import io.callstream.servicekit.csv.CsvRecords;
import io.callstream.servicekit.problem.Problem;
import io.callstream.servicekit.problem.ProblemException;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Callees streamed into a task as CSV or NDJSON: read row by row and copied into the database as they
 * come, in one transaction, so memory stays flat however long the upload and the task gains all of its
 * rows or none. Invalid rows are reported with their row number; the caller chooses whether they
 * refuse the whole upload ({@link InvalidRows#REJECT}, the default) or are skipped.
 */
@ApplicationScoped
public class CalleeUploads {
    public enum Format { CSV, NDJSON }

    public enum InvalidRows { REJECT, SKIP }

    private static final int MAX_LINE = CsvRecords.MAX_RECORD_CHARS;
    private static final ObjectReader NDJSON_ROW = Json.MAPPER.readerFor(CalleeInput.class)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final EntityManager em;
    private final TaskStates states;
    private final AgroalDataSource dataSource;
    private final OutboundConfig config;

    CalleeUploads(EntityManager em, TaskStates states, AgroalDataSource dataSource, OutboundConfig config) {
        this.em = em;
        this.states = states;
        this.dataSource = dataSource;
        this.config = config;
    }

    @Transactional
    @TransactionConfiguration(timeout = 1800)
    public UploadResult upload(UUID taskId, InputStream body, Format format, InvalidRows mode) {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext(?1))").setParameter(1, "callees:" + taskId)
                .getSingleResult();
        TaskRow t = states.find(taskId).orElseThrow(() -> ProblemException.notFound("no task " + taskId));
        if (t.state() != TaskState.INITIAL && t.state() != TaskState.RUNNING && t.state() != TaskState.PAUSED) {
            throw ProblemException.conflict("state", "callees can be added to INITIAL, RUNNING or PAUSED tasks; this one is " + t.state());
        }
        Instant now = Instant.now();
        long room = config.maxCallees() - t.calleeCount();
        Rows rows = new Rows(mode);
        InputStream limited = new Limited(body, config.maxUploadBytes().asLongValue());
        try (Connection c = dataSource.getConnection();
             CalleeWriter w = new CalleeWriter(c, taskId, t.calleeCount() + 1, now)) {
            Reader reader = new java.io.BufferedReader(new InputStreamReader(limited, StandardCharsets.UTF_8), 1 << 16);
            if (format == Format.CSV) {
                csv(reader, rows, w, room);
            } else {
                ndjson(reader, rows, w, room);
            }
            if (mode == InvalidRows.REJECT && rows.rejected > 0) {
                List<Problem.FieldError> errors = rows.errors.stream().limit(100)
                        .map(e -> new Problem.FieldError("row " + e.row(), e.reason())).toList();
                throw new ProblemException(400, "invalid-rows", rows.rejected + " invalid row(s), nothing was added "
                        + "(send invalidRows=skip to add the valid ones); first: row " + rows.errors.get(0).row()
                        + ": " + rows.errors.get(0).reason(), errors);
            }
            w.finish();
        } catch (SQLException e) {
            throw new IllegalStateException("copying callees failed", e);
        } catch (IOException e) {
            if (e.getCause() instanceof ProblemException p) {
                throw p;
            }
            throw new ProblemException(400, "unreadable-upload", "the upload could not be read: " + e.getMessage(), null);
        }
        int updated = em.createNativeQuery("UPDATE outbound_task SET callee_count = callee_count + ?2, updated_at = ?3 "
                        + "WHERE id = ?1 AND state IN ('INITIAL', 'RUNNING', 'PAUSED')")
                .setParameter(1, taskId).setParameter(2, rows.accepted).setParameter(3, Timestamp.from(now)).executeUpdate();
        if (updated == 0) {
            throw ProblemException.conflict("state", "the task ended while the callees were uploaded; nothing was added");
        }
        return new UploadResult(rows.accepted, rows.rejected, rows.errors, t.calleeCount() + rows.accepted);
    }

    private void csv(Reader reader, Rows rows, CalleeWriter w, long room) throws IOException, SQLException {
        CsvRecords records = new CsvRecords(reader);
        List<String> header;
        try {
            header = records.next();
        } catch (CsvRecords.Malformed e) {
            throw new ProblemException(400, "malformed-csv", "the header row cannot be read: " + e.getMessage(), null);
        }
        if (header == null) {
            throw ProblemException.invalid("body", "the upload is empty (a CSV needs a header row with a number column)");
        }
        if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
            header.set(0, header.get(0).substring(1));
        }
        int numberAt = -1;
        int uuiAt = -1;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).trim();
            header.set(i, name);
            if (!seen.add(name)) {
                throw ProblemException.invalid("header", "column " + name + " appears twice");
            }
            if (name.equals("number")) {
                numberAt = i;
            } else if (name.equals("uui")) {
                uuiAt = i;
            } else if (!name.matches("[A-Za-z_][A-Za-z0-9_.]{0,63}") || name.startsWith("callstream.")) {
                throw ProblemException.invalid("header", "column " + (i + 1) + " is not a variable name (a letter or _ "
                        + "then letters, digits, _ or .; at most 64; not callstream.*): " + name);
            }
        }
        if (numberAt < 0) {
            throw ProblemException.invalid("header", "a number column is required; other columns are uui and variables");
        }
        while (true) {
            List<String> cells;
            try {
                cells = records.next();
            } catch (CsvRecords.Malformed e) {
                // the rest of the file cannot be trusted to line up: refuse the upload whatever the mode
                throw new ProblemException(400, "malformed-csv", "row " + (e.record - 1) + ": " + e.getMessage()
                        + "; nothing was added", List.of(new Problem.FieldError("row " + (e.record - 1), e.getMessage())));
            }
            if (cells == null) {
                return;
            }
            long row = records.record() - 1;
            if (cells.size() == 1 && cells.get(0).isEmpty()) {
                continue; // an empty line
            }
            if (cells.size() != header.size()) {
                rows.reject(row, "has " + cells.size() + " cells; the header has " + header.size());
                continue;
            }
            Map<String, String> variables = new LinkedHashMap<>();
            for (int i = 0; i < cells.size(); i++) {
                if (i != numberAt && i != uuiAt) {
                    variables.put(header.get(i), cells.get(i));
                }
            }
            String uui = uuiAt < 0 || cells.get(uuiAt).isEmpty() ? null : cells.get(uuiAt);
            rows.offer(row, new CalleeInput(cells.get(numberAt).trim(), variables, uui), w, room);
        }
    }

    private void ndjson(Reader reader, Rows rows, CalleeWriter w, long room) throws IOException, SQLException {
        StringBuilder line = new StringBuilder();
        long row = 0;
        boolean tooLong = false;
        int ch;
        do {
            ch = reader.read();
            if (ch == '\n' || ch == -1) {
                if (ch == -1 && line.isEmpty() && !tooLong) {
                    break;
                }
                row++;
                if (tooLong) {
                    rows.reject(row, "longer than " + MAX_LINE + " characters");
                } else if (!line.toString().isBlank()) {
                    CalleeInput c;
                    try {
                        c = NDJSON_ROW.readValue(line.toString());
                    } catch (IOException e) {
                        c = null;
                        rows.reject(row, "not a callee object ({\"number\": ..., \"variables\": {...}, \"uui\": ...}): "
                                + firstLine(e.getMessage()));
                    }
                    if (c != null) {
                        rows.offer(row, c, w, room);
                    }
                }
                line.setLength(0);
                tooLong = false;
            } else if (!tooLong) {
                if (line.length() >= MAX_LINE) {
                    tooLong = true;
                    line.setLength(0);
                } else if (ch != '\r') {
                    line.append((char) ch);
                }
            }
        } while (ch != -1);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** What one upload accepted and refused so far. */
    private static final class Rows {
        final InvalidRows mode;
        final List<UploadResult.RowError> errors = new ArrayList<>();
        long accepted;
        long rejected;

        Rows(InvalidRows mode) {
            this.mode = mode;
        }

        void offer(long row, CalleeInput c, CalleeWriter w, long room) throws SQLException {
            String why = TaskRules.calleeRefusal(c);
            if (why != null) {
                reject(row, why);
                return;
            }
            if (accepted >= room) {
                throw ProblemException.invalid("callees", "the task has room for " + room + " more callees "
                        + "(callstream.outbound.max-callees in all); nothing was added");
            }
            accepted++;
            if (mode == InvalidRows.SKIP || rejected == 0) {
                w.add(c);
            }
        }

        void reject(long row, String reason) {
            rejected++;
            if (errors.size() < UploadResult.MAX_REPORTED) {
                errors.add(new UploadResult.RowError(row, reason));
            }
        }
    }

    /** Refuses a body past the upload limit with a 413 while it streams. */
    private static final class Limited extends FilterInputStream {
        private final long max;
        private long read;

        Limited(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > max) {
                throw new IOException("too large", new ProblemException(413, "payload-too-large",
                        "the upload is larger than " + max + " bytes; nothing was added", null));
            }
        }
    }
}
