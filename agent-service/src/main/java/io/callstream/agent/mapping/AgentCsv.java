package io.callstream.agent.mapping;

import io.callstream.agent.service.AgentProfile;
import io.callstream.agent.service.AgentRecord;
import io.callstream.servicekit.csv.CsvRecords;
import io.callstream.servicekit.problem.Problem.FieldError;
import io.callstream.servicekit.problem.ProblemException;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Agents as CSV (RFC 4180, UTF-8), for import and export: a header row naming the columns, then one
 * agent per row. Skills are written {@code pre-sales:1;renewals:3} (priority 1 highest … 5 lowest,
 * absent: 3). Cells a spreadsheet would run as a formula (starting with = + - @ tab or CR) are
 * exported with a leading apostrophe; an import takes such an apostrophe off again, so an export can
 * be imported elsewhere.
 */
public final class AgentCsv {
    public static final List<String> COLUMNS = List.of("staffNumber", "name", "nickname", "email", "phone",
            "extension", "role", "skills");
    static final List<String> REQUIRED = List.of("staffNumber", "name", "email", "extension", "role");
    private static final String FORMULA_STARTS = "=+-@\t\r";

    /**
     * One agent of an import: where it is in the file (a field prefix such as {@code rows[5].} and a
     * label such as {@code row 5}), what it says, and what of it could not be read.
     */
    public record Row(String prefix, String label, AgentProfile profile, List<FieldError> errors) {
    }

    private AgentCsv() {
    }

    /**
     * Reads a header and up to {@code maxRows} agents. Rows are numbered as a spreadsheet shows them
     * (the header is row 1); empty lines are skipped but counted. Refuses the whole file (400, 413)
     * when its header or quoting is broken or it holds more than {@code maxRows} agents.
     */
    public static List<Row> read(Reader reader, int maxRows) {
        CsvRecords records = new CsvRecords(reader);
        try {
            List<String> header = records.next();
            if (header == null || header.size() == 1 && header.get(0).isBlank()) {
                throw ProblemException.invalid("header", "the file is empty: the first row must name the columns "
                        + String.join(",", COLUMNS));
            }
            Map<String, Integer> at = columns(header);
            List<Row> rows = new ArrayList<>();
            List<String> cells;
            while ((cells = records.next()) != null) {
                if (cells.size() == 1 && cells.get(0).isEmpty()) {
                    continue;
                }
                if (rows.size() == maxRows) {
                    throw tooMany(maxRows);
                }
                rows.add(row(records.record(), cells, header.size(), at));
            }
            return rows;
        } catch (CsvRecords.Malformed e) {
            throw ProblemException.invalid("rows[" + e.record + "]", e.getMessage() + "; nothing was imported");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ProblemException tooMany(int maxRows) {
        return new ProblemException(413, "too-many-rows", "an import holds at most " + maxRows
                + " agents; split the file", List.of(new FieldError("rows", "more than " + maxRows + " agents")));
    }

    private static Map<String, Integer> columns(List<String> header) {
        Map<String, String> known = COLUMNS.stream().collect(Collectors.toMap(c -> c.toLowerCase(Locale.ROOT), c -> c));
        Map<String, Integer> at = new HashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).strip();
            if (i == 0 && name.startsWith("\uFEFF")) {
                name = name.substring(1).strip(); // a byte order mark, as spreadsheets write UTF-8
            }
            String column = known.get(name.toLowerCase(Locale.ROOT));
            if (column == null) {
                errors.add(new FieldError("header", "unknown column '" + name + "'; the columns are " + String.join(",", COLUMNS)));
            } else if (at.putIfAbsent(column, i) != null) {
                errors.add(new FieldError("header", "column '" + column + "' appears twice"));
            }
        }
        for (String required : REQUIRED) {
            if (!at.containsKey(required)) {
                errors.add(new FieldError("header", "column '" + required + "' is missing; the columns are " + String.join(",", COLUMNS)));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, "validation", "the header row is not "
                    + String.join(",", COLUMNS) + ": " + errors.get(0).message(), errors);
        }
        return at;
    }

    private static Row row(int number, List<String> cells, int width, Map<String, Integer> at) {
        String prefix = "rows[" + number + "].";
        String label = "row " + number;
        List<FieldError> errors = new ArrayList<>();
        if (cells.size() != width) {
            errors.add(new FieldError("rows[" + number + "]", "has " + cells.size() + " cells; the header has " + width));
            return new Row(prefix, label, null, errors);
        }
        List<AgentProfile.Skill> skills = skills(cell(cells, at, "skills"), prefix, errors);
        AgentProfile p = new AgentProfile(cell(cells, at, "staffNumber"), cell(cells, at, "name"),
                cell(cells, at, "nickname"), cell(cells, at, "email"), cell(cells, at, "phone"),
                cell(cells, at, "extension"), cell(cells, at, "role"), skills);
        return new Row(prefix, label, p, errors);
    }

    private static String cell(List<String> cells, Map<String, Integer> at, String column) {
        Integer i = at.get(column);
        return i == null ? null : unneutralised(cells.get(i));
    }

    /** {@code pre-sales:1;renewals} → (pre-sales, 1), (renewals, default). */
    static List<AgentProfile.Skill> skills(String cell, String prefix, List<FieldError> errors) {
        List<AgentProfile.Skill> skills = new ArrayList<>();
        if (cell == null || cell.isBlank()) {
            return skills;
        }
        for (String part : cell.split(";")) {
            String item = part.strip();
            if (item.isEmpty()) {
                continue;
            }
            int colon = item.lastIndexOf(':');
            if (colon < 0) {
                skills.add(new AgentProfile.Skill(item, null));
                continue;
            }
            String group = item.substring(0, colon).strip();
            String priority = item.substring(colon + 1).strip();
            try {
                skills.add(new AgentProfile.Skill(group, priority.isEmpty() ? null : Integer.valueOf(priority)));
            } catch (NumberFormatException e) {
                errors.add(new FieldError(prefix + "skills", "'" + item + "': the priority after ':' must be a number"
                        + " from 1 (highest) to 5 (lowest), as in pre-sales:1;renewals:3"));
            }
        }
        return skills;
    }

    /** Takes off the apostrophe an export put before a would-be formula. */
    static String unneutralised(String cell) {
        if (cell.length() > 1 && cell.charAt(0) == '\'' && FORMULA_STARTS.indexOf(cell.charAt(1)) >= 0) {
            return cell.substring(1);
        }
        return cell;
    }

    public static void writeHeader(Writer out) {
        line(out, COLUMNS);
    }

    public static void writeRow(Writer out, AgentRecord r) {
        String skills = r.skills().stream().map(s -> s.skillGroupId() + ":" + s.priority()).collect(Collectors.joining(";"));
        line(out, java.util.Arrays.asList(r.agent().staffNumber, r.agent().name, r.agent().nickname, r.agent().email,
                r.agent().phone, r.agent().extension, r.agent().role.name(), skills));
    }

    private static void line(Writer out, List<String> cells) {
        try {
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(cell(cells.get(i)));
            }
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One cell as written: a value a spreadsheet would take for a formula gets a leading apostrophe
     * (CSV injection), and a cell with a comma, quote or line break (or so prefixed) is quoted.
     */
    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        boolean formula = FORMULA_STARTS.indexOf(value.charAt(0)) >= 0;
        String v = formula ? "'" + value : value;
        if (formula || v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
