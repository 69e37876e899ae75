package io.callstream.servicekit.csv;

import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvRecordsTest {

    @Test
    void quotedCellsHoldCommasLineBreaksAndDoubledQuotes() throws Exception {
        CsvRecords r = new CsvRecords(new StringReader("number,name\r\n123,\"Lovelace, \"\"Ada\"\"\nline 2\"\n\n"));
        assertEquals(List.of("number", "name"), r.next());
        assertEquals(List.of("123", "Lovelace, \"Ada\"\nline 2"), r.next());
        assertEquals(2, r.record());
        assertEquals(List.of(""), r.next(), "an empty line is one empty cell");
        assertNull(r.next());
    }

    @Test
    void anUnclosedQuoteStopsAtTheRecordLimitInsteadOfReadingEverything() {
        // a reader that never ends: without the cap the quoted cell would grow until memory runs out
        Reader endless = new Reader() {
            private boolean first = true;

            @Override
            public int read(char[] buf, int off, int len) {
                if (first) {
                    first = false;
                    buf[off] = '"';
                    return 1;
                }
                java.util.Arrays.fill(buf, off, off + len, 'x');
                return len;
            }

            @Override
            public void close() {
            }
        };
        CsvRecords.Malformed e = assertThrows(CsvRecords.Malformed.class, () -> new CsvRecords(endless).next());
        assertEquals(1, e.record);
        assertEquals("a record longer than " + CsvRecords.MAX_RECORD_CHARS + " characters", e.getMessage());
    }

    @Test
    void textAfterAClosingQuoteIsMalformed() {
        CsvRecords r = new CsvRecords(new StringReader("a,\"b\"c\n"));
        assertThrows(CsvRecords.Malformed.class, r::next);
    }
}
