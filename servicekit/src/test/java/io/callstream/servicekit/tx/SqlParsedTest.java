package io.callstream.servicekit.tx;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Sql}'s numbered parameters turned into JDBC's: one class, no database. */
class SqlParsedTest {

    @Test
    void numberedParametersBecomeJdbcOnesInTheOrderTheyAppearRepeatsIncluded() {
        Sql.Parsed p = Sql.Parsed.of("SELECT EXISTS (SELECT 1 FROM q WHERE call_id = ?1), (SELECT count(*) FROM a WHERE g = ?2),"
                + " CASE WHEN ?3 THEN (SELECT count(*) FROM q WHERE g = ?2) END, ?10, ?1");
        assertEquals("SELECT EXISTS (SELECT 1 FROM q WHERE call_id = ?), (SELECT count(*) FROM a WHERE g = ?),"
                + " CASE WHEN ? THEN (SELECT count(*) FROM q WHERE g = ?) END, ?, ?", p.jdbc());
        assertArrayEquals(new int[] {1, 2, 3, 2, 10, 1}, p.order());
    }

    @Test
    void aQuestionMarkInsideAStringLiteralIsText() {
        Sql.Parsed p = Sql.Parsed.of("SELECT 'why?1' || ?1, '?' FROM t WHERE x = ?2");
        assertEquals("SELECT 'why?1' || ?, '?' FROM t WHERE x = ?", p.jdbc());
        assertArrayEquals(new int[] {1, 2}, p.order());
    }

    @Test
    void anUnnumberedParameterIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sql.Parsed.of("SELECT ? FROM t"));
        assertEquals("parameters are numbered (?1, ?2 …): SELECT ? FROM t", e.getMessage());
    }
}
