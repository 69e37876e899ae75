package io.callstream.servicekit.csv;

import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 records one at a time: cells separated by commas, records by CRLF or LF, a cell in
 * double quotes may hold commas, line breaks and doubled quotes. A quote inside an unquoted cell is
 * kept as text (spreadsheets write that); text after a closing quote, or a quote never closed, is an
 * error, because the rest of the file cannot be trusted to line up. A record longer than
 * {@link #MAX_RECORD_CHARS} is an error too, so an unclosed quote cannot read a whole upload into memory.
 */
public final class CsvRecords {
    /** The file cannot be read as CSV from this record on. */
    public static final class Malformed extends Exception {
        public final int record;

        Malformed(int record, String message) {
            super(message);
            this.record = record;
        }
    }

    public static final int MAX_RECORD_CHARS = 65_536;

    private final PushbackReader in;
    private int record;

    public CsvRecords(Reader in) {
        this.in = new PushbackReader(in, 1);
    }

    /** The number (from 1) of the record {@link #next()} returned last. */
    public int record() {
        return record;
    }

    /** The next record's cells, or null at the end. An empty line is one empty cell. */
    public List<String> next() throws IOException, Malformed {
        int c = in.read();
        if (c == -1) {
            return null;
        }
        record++;
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean inQuotes = false;
        boolean quotedCell = false;
        int length = 0;
        while (true) {
            if (++length > MAX_RECORD_CHARS) {
                throw new Malformed(record, "a record longer than " + MAX_RECORD_CHARS + " characters");
            }
            if (inQuotes) {
                if (c == -1) {
                    throw new Malformed(record, "a quoted cell is not closed");
                }
                if (c == '"') {
                    int d = in.read();
                    if (d == '"') {
                        cell.append('"');
                    } else {
                        inQuotes = false;
                        c = d;
                        continue;
                    }
                } else {
                    cell.append((char) c);
                }
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
                quotedCell = false;
            } else if (c == '\r' || c == '\n' || c == -1) {
                if (c == '\r') {
                    int d = in.read();
                    if (d != '\n' && d != -1) {
                        in.unread(d);
                    }
                }
                cells.add(cell.toString());
                return cells;
            } else if (quotedCell) {
                throw new Malformed(record, "text after the closing quote of a cell (a quote inside a quoted cell is written twice: \"\")");
            } else if (c == '"' && cell.isEmpty()) {
                inQuotes = true;
                quotedCell = true;
            } else {
                cell.append((char) c);
            }
            c = in.read();
        }
    }
}
