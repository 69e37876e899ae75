package io.callstream.outbound.domain;

import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallWindowsTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant at(String localDateTime, ZoneId zone) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), zone).toInstant();
    }

    @Test
    void weekdayWindowsInTheTasksZone() {
        CallWindows w = CallWindows.parse("Asia/Shanghai", "MON,TUE,WED,THU,FRI", "09:00-12:00,13:30-18:00");
        assertTrue(w.isOpen(at("2026-11-23T09:00", SHANGHAI)), "Monday 09:00 opens");
        assertFalse(w.isOpen(at("2026-11-23T08:59", SHANGHAI)));
        assertFalse(w.isOpen(at("2026-11-23T12:00", SHANGHAI)), "the end is not in the window");
        assertFalse(w.isOpen(at("2026-11-23T13:00", SHANGHAI)), "lunch");
        assertTrue(w.isOpen(at("2026-11-23T17:59", SHANGHAI)));
        assertFalse(w.isOpen(at("2026-11-28T10:00", SHANGHAI)), "Saturday");
        // 09:30 in Shanghai is 01:30 UTC: the zone decides, not the server's clock
        assertTrue(w.isOpen(Instant.parse("2026-11-24T01:30:00Z")));
        assertFalse(w.isOpen(Instant.parse("2026-11-24T10:30:00Z")), "10:30 UTC is 18:30 in Shanghai");
    }

    @Test
    void aWindowCrossingMidnightBelongsToTheDayItStarts() {
        CallWindows w = new CallWindows(BERLIN, EnumSet.of(DayOfWeek.FRIDAY), List.of(new CallWindows.Window(22 * 60, 2 * 60)));
        assertTrue(w.isOpen(at("2026-11-27T23:00", BERLIN)), "Friday 23:00");
        assertTrue(w.isOpen(at("2026-11-28T01:59", BERLIN)), "Saturday 01:59 is Friday's window");
        assertFalse(w.isOpen(at("2026-11-28T02:00", BERLIN)));
        assertFalse(w.isOpen(at("2026-11-28T23:00", BERLIN)), "Saturday's own evening is not open");
        assertFalse(w.isOpen(at("2026-11-27T01:00", BERLIN)), "Friday 01:00 would be Thursday's window");
    }

    @Test
    void localHoursHoldAcrossDaylightSavingChanges() {
        CallWindows w = CallWindows.parse("America/New_York", "MON,TUE,WED,THU,FRI,SAT,SUN", "09:00-17:00");
        // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. 09:00 local is 14:00 UTC before, 13:00 UTC after.
        assertTrue(w.isOpen(Instant.parse("2026-03-07T14:00:00Z")), "Saturday 09:00 EST");
        assertFalse(w.isOpen(Instant.parse("2026-03-07T13:30:00Z")), "Saturday 08:30 EST");
        assertTrue(w.isOpen(Instant.parse("2026-03-09T13:00:00Z")), "Monday 09:00 EDT");
        assertTrue(w.isOpen(Instant.parse("2026-03-09T20:59:00Z")), "Monday 16:59 EDT");
        assertFalse(w.isOpen(Instant.parse("2026-03-09T21:00:00Z")), "Monday 17:00 EDT");
        // 2026-11-01: back from EDT to EST; 16:30 local is 21:30 UTC
        assertTrue(w.isOpen(Instant.parse("2026-11-02T21:30:00Z")), "Monday 16:30 EST");
        assertFalse(w.isOpen(Instant.parse("2026-11-02T22:00:00Z")), "Monday 17:00 EST");
    }

    @Test
    void aWindowInTheSpringForwardGapIsShorterThatNightButStillOpens() {
        // Berlin, 2026-03-29: 02:00 becomes 03:00, so 01:30-02:30 lasts 30 minutes that night
        CallWindows w = CallWindows.parse("Europe/Berlin", "SUN", "01:30-02:30");
        assertTrue(w.isOpen(at("2026-03-29T01:45", BERLIN)));
        Instant gapStart = at("2026-03-29T01:59", BERLIN).plusSeconds(60); // 03:00 CEST
        assertFalse(w.isOpen(gapStart), "03:00 local is past the window");
        assertTrue(w.opensBetween(at("2026-03-29T01:00", BERLIN), at("2026-03-29T04:00", BERLIN)));
    }

    @Test
    void opensBetweenFindsNoWindowWhenWeekdaysMissTheTasksSpan() {
        CallWindows saturdays = CallWindows.parse("Asia/Shanghai", "SAT", "09:00-18:00");
        Instant monday = at("2026-11-23T00:00", SHANGHAI);
        assertFalse(saturdays.opensBetween(monday, monday.plusSeconds(4 * 86_400)), "Monday to Friday");
        assertTrue(saturdays.opensBetween(monday, monday.plusSeconds(6 * 86_400)), "through Saturday");
        assertFalse(saturdays.opensBetween(at("2026-11-28T18:00", SHANGHAI), at("2026-11-28T23:00", SHANGHAI)),
                "Saturday evening, after the window");
        assertTrue(saturdays.opensBetween(monday, monday.plusSeconds(365L * 86_400)), "a long span");
        assertFalse(new CallWindows(SHANGHAI, EnumSet.noneOf(DayOfWeek.class), CallWindows.ALL_DAY)
                .opensBetween(monday, monday.plusSeconds(365L * 86_400)), "no weekday at all");
    }

    @Test
    void storedFormRoundTripsAndBadTextIsRefused() {
        CallWindows w = CallWindows.parse("Europe/Berlin", "MON,FRI", "08:00-12:00,22:00-24:00");
        assertEquals("MON,FRI", w.weekdaysText());
        assertEquals("08:00-12:00,22:00-24:00", w.windowsText());
        assertTrue(w.isOpen(at("2026-11-27T23:59", BERLIN)), "Friday until midnight");
        assertThrows(IllegalArgumentException.class, () -> CallWindows.minutes("9:00"));
        assertThrows(IllegalArgumentException.class, () -> CallWindows.minutes("25:00"));
        assertThrows(IllegalArgumentException.class, () -> CallWindows.day("Funday"));
        assertEquals(DayOfWeek.WEDNESDAY, CallWindows.day("wednesday"));
    }
}
