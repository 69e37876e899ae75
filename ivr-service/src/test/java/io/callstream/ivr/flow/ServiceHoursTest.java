package io.callstream.ivr.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceHoursTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Parses settings that must be valid. */
    private static ServiceHours hours(String settings) {
        ServiceHours.Parsed parsed = ServiceHours.parse(json(settings));
        assertEquals(List.of(), parsed.problems(), "problems for " + settings);
        assertNotNull(parsed.hours());
        return parsed.hours();
    }

    /** Parses settings that must be invalid and returns the problems. */
    private static List<String> problems(String settings) {
        ServiceHours.Parsed parsed = ServiceHours.parse(json(settings));
        assertNull(parsed.hours(), "hours must be null when there are problems");
        assertFalse(parsed.problems().isEmpty(), "expected problems for " + settings);
        return parsed.problems();
    }

    /** A single problem expected, exactly. */
    private static void assertOnlyProblem(String expected, String settings) {
        assertEquals(List.of(expected), problems(settings));
    }

    /** An instant from an ISO date-time with an explicit offset, e.g. 2026-06-01T09:30+08:00. */
    private static Instant at(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

    /** An instant from an ISO UTC timestamp, e.g. 2026-03-08T07:00:00Z. */
    private static Instant utc(String text) {
        return Instant.parse(text);
    }

    private static void assertOpen(ServiceHours hours, String offsetDateTime) {
        assertTrue(hours.isOpen(at(offsetDateTime)), "expected open at " + offsetDateTime);
    }

    private static void assertClosed(ServiceHours hours, String offsetDateTime) {
        assertFalse(hours.isOpen(at(offsetDateTime)), "expected closed at " + offsetDateTime);
    }

    private static void assertOpenUtc(ServiceHours hours, String utc) {
        assertTrue(hours.isOpen(utc(utc)), "expected open at " + utc);
    }

    private static void assertClosedUtc(ServiceHours hours, String utc) {
        assertFalse(hours.isOpen(utc(utc)), "expected closed at " + utc);
    }

    // Week used below (Asia/Shanghai, UTC+8, no DST): 2026-06-01 is a Monday, 2026-06-06/07 the weekend.
    private static final String OFFICE = """
            {"timeZone": "Asia/Shanghai",
             "weekdays": ["MON","TUE","WED","THU","FRI"],
             "ranges": [{"from": "09:00", "to": "18:00"}]}""";

    @Nested
    class DayRanges {

        @Test
        void openInsideRangeOnWeekdays() {
            ServiceHours h = hours(OFFICE);
            assertOpen(h, "2026-06-01T09:30+08:00");
            assertOpen(h, "2026-06-03T12:00+08:00");
            assertOpen(h, "2026-06-05T17:30+08:00");
        }

        @Test
        void fromIsInclusiveAndToExclusive() {
            ServiceHours h = hours(OFFICE);
            assertClosed(h, "2026-06-01T08:59:59+08:00");
            assertOpen(h, "2026-06-01T09:00+08:00");
            assertOpen(h, "2026-06-01T17:59:59.999+08:00");
            assertClosed(h, "2026-06-01T18:00+08:00");
        }

        @Test
        void closedOutsideRangeOnWeekdays() {
            ServiceHours h = hours(OFFICE);
            assertClosed(h, "2026-06-01T07:00+08:00");
            assertClosed(h, "2026-06-01T20:00+08:00");
            assertClosed(h, "2026-06-02T00:00+08:00");
        }

        @Test
        void closedAtWeekendsEvenInsideRangeTimes() {
            ServiceHours h = hours(OFFICE);
            assertClosed(h, "2026-06-06T10:00+08:00");
            assertClosed(h, "2026-06-07T10:00+08:00");
        }

        @Test
        void evaluatesInTheConfiguredZoneNotUtc() {
            ServiceHours h = hours(OFFICE);
            assertEquals(ZoneId.of("Asia/Shanghai"), h.zone());
            // 02:00 UTC Monday is 10:00 in Shanghai: open. 10:00 UTC Monday is 18:00 in Shanghai: closed.
            assertOpenUtc(h, "2026-06-01T02:00:00Z");
            assertClosedUtc(h, "2026-06-01T10:00:00Z");
            // Sunday 23:30 UTC is already Monday 07:30 in Shanghai, before opening; Monday 01:30 UTC is 09:30.
            assertClosedUtc(h, "2026-05-31T23:30:00Z");
            assertOpenUtc(h, "2026-06-01T01:30:00Z");
        }

        @Test
        void morningAndAfternoonWithLunchGapClosed() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai",
                     "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "ranges": [{"from": "09:00", "to": "12:00"}, {"from": "13:30", "to": "18:00"}]}""");
            assertClosed(h, "2026-06-02T08:59+08:00");
            assertOpen(h, "2026-06-02T09:00+08:00");
            assertOpen(h, "2026-06-02T11:59+08:00");
            assertClosed(h, "2026-06-02T12:00+08:00");
            assertClosed(h, "2026-06-02T12:45+08:00");
            assertClosed(h, "2026-06-02T13:29+08:00");
            assertOpen(h, "2026-06-02T13:30+08:00");
            assertOpen(h, "2026-06-02T17:59+08:00");
            assertClosed(h, "2026-06-02T18:00+08:00");
            assertClosed(h, "2026-06-06T10:00+08:00");
        }

        @Test
        void overlappingRangesAreUnited() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["MON"],
                     "ranges": [{"from": "09:00", "to": "13:00"}, {"from": "12:00", "to": "15:00"}]}""");
            assertOpen(h, "2026-06-01T12:30+08:00");
            assertOpen(h, "2026-06-01T14:30+08:00");
            assertClosed(h, "2026-06-01T15:00+08:00");
        }

        @Test
        void toMayBe2400MeaningEndOfDay() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "ranges": [{"from": "18:00", "to": "24:00"}]}""");
            assertClosed(h, "2026-06-04T17:59+08:00");
            assertOpen(h, "2026-06-04T18:00+08:00");
            assertOpen(h, "2026-06-04T23:59:59+08:00");
            // Friday's midnight does not start anything: the range ends at the end of the day.
            assertClosed(h, "2026-06-05T00:00+08:00");
            assertOpen(h, "2026-06-05T23:59+08:00");
            assertClosed(h, "2026-06-06T00:00+08:00");
            assertClosed(h, "2026-06-06T18:30+08:00");
        }

        @Test
        void midnightTo2400IsTheWholeDay() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["WED"],
                     "ranges": [{"from": "00:00", "to": "24:00"}]}""");
            assertClosed(h, "2026-06-02T23:59:59+08:00");
            assertOpen(h, "2026-06-03T00:00+08:00");
            assertOpen(h, "2026-06-03T23:59:59+08:00");
            assertClosed(h, "2026-06-04T00:00+08:00");
        }

        @Test
        void openAllDayOnWorkingDaysWhenNoRanges() {
            for (String settings : List.of(
                    "{\"timeZone\": \"Asia/Shanghai\", \"weekdays\": [\"MON\",\"TUE\",\"WED\",\"THU\",\"FRI\"]}",
                    "{\"timeZone\": \"Asia/Shanghai\", \"weekdays\": [\"MON\",\"TUE\",\"WED\",\"THU\",\"FRI\"], \"ranges\": []}",
                    "{\"timeZone\": \"Asia/Shanghai\", \"weekdays\": [\"MON\",\"TUE\",\"WED\",\"THU\",\"FRI\"], \"ranges\": null}")) {
                ServiceHours h = hours(settings);
                assertOpen(h, "2026-06-01T00:00+08:00");
                assertOpen(h, "2026-06-03T03:00+08:00");
                assertOpen(h, "2026-06-05T23:59:59+08:00");
                assertClosed(h, "2026-06-06T00:00+08:00");
                assertClosed(h, "2026-06-07T12:00+08:00");
                assertClosed(h, "2026-05-31T23:59:59+08:00");
            }
        }
    }

    @Nested
    class Overnight {

        private final ServiceHours night = hours("""
                {"timeZone": "Asia/Shanghai", "weekdays": ["MON","TUE","WED","THU","FRI"],
                 "ranges": [{"from": "22:00", "to": "06:00"}]}""");

        @Test
        void fridayNightIsOpenUntilSaturdayMorning() {
            assertClosed(night, "2026-06-05T21:59+08:00");
            assertOpen(night, "2026-06-05T22:00+08:00");
            assertOpen(night, "2026-06-05T23:59+08:00");
            assertOpen(night, "2026-06-06T00:00+08:00");
            assertOpen(night, "2026-06-06T03:00+08:00");
            assertOpen(night, "2026-06-06T05:59:59+08:00");
            assertClosed(night, "2026-06-06T06:00+08:00");
        }

        @Test
        void saturdayAndSundayNightsAreClosed() {
            assertClosed(night, "2026-06-06T22:00+08:00");
            assertClosed(night, "2026-06-07T03:00+08:00");
            assertClosed(night, "2026-06-07T22:00+08:00");
            // Sunday night into Monday: the after-midnight part belongs to Sunday, not a working day.
            assertClosed(night, "2026-06-08T00:00+08:00");
            assertClosed(night, "2026-06-08T05:59+08:00");
        }

        @Test
        void weekdayNightsAreOpenAndDaytimeClosed() {
            assertOpen(night, "2026-06-08T22:00+08:00");
            assertOpen(night, "2026-06-09T03:00+08:00");
            assertClosed(night, "2026-06-09T06:00+08:00");
            assertClosed(night, "2026-06-09T12:00+08:00");
        }

        @Test
        void mondayEarlyMorningIsOpenWhenSundayIsAWorkingDay() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["SUN"],
                     "ranges": [{"from": "22:00", "to": "06:00"}]}""");
            assertOpen(h, "2026-06-07T22:30+08:00");
            assertOpen(h, "2026-06-08T03:00+08:00");
            assertClosed(h, "2026-06-08T06:00+08:00");
            assertClosed(h, "2026-06-08T22:30+08:00");
            assertClosed(h, "2026-06-07T03:00+08:00");
        }

        @Test
        void overnightRangeCombinedWithDayRange() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["FRI"],
                     "ranges": [{"from": "09:00", "to": "12:00"}, {"from": "20:00", "to": "02:00"}]}""");
            assertOpen(h, "2026-06-05T10:00+08:00");
            assertClosed(h, "2026-06-05T15:00+08:00");
            assertOpen(h, "2026-06-05T21:00+08:00");
            assertOpen(h, "2026-06-06T01:59+08:00");
            assertClosed(h, "2026-06-06T02:00+08:00");
            assertClosed(h, "2026-06-06T10:00+08:00");
            assertClosed(h, "2026-06-05T01:00+08:00");
        }

        @Test
        void overnightRangeEndingAtMidnightHasNoTail() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["FRI"],
                     "ranges": [{"from": "22:00", "to": "00:00"}]}""");
            assertOpen(h, "2026-06-05T22:00+08:00");
            assertOpen(h, "2026-06-05T23:59+08:00");
            assertClosed(h, "2026-06-06T00:00+08:00");
        }
    }

    @Nested
    class Calendar {

        // 2026-09-30 Wednesday, 2026-10-01 Thursday, 2026-10-02 Friday, 2026-09-27 Sunday.
        @Test
        void holidayClosesAWeekday() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "ranges": [{"from": "09:00", "to": "18:00"}],
                     "holidays": ["2026-10-01", "2026-10-02"]}""");
            assertOpen(h, "2026-09-30T10:00+08:00");
            assertClosed(h, "2026-10-01T10:00+08:00");
            assertClosed(h, "2026-10-02T10:00+08:00");
            assertOpen(h, "2026-10-05T10:00+08:00");
        }

        @Test
        void holidayClosesAllDayScheduleToo() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "holidays": ["2026-10-01"]}""");
            assertOpen(h, "2026-09-30T23:59+08:00");
            assertClosed(h, "2026-10-01T00:00+08:00");
            assertClosed(h, "2026-10-01T23:59+08:00");
            assertOpen(h, "2026-10-02T00:00+08:00");
        }

        @Test
        void holidayClosesItsOvernightTailButNotThePreviousNightsTail() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "ranges": [{"from": "22:00", "to": "06:00"}],
                     "holidays": ["2026-10-01"]}""");
            // Wednesday night belongs to Wednesday, a working day: open into the holiday morning.
            assertOpen(h, "2026-09-30T22:00+08:00");
            assertOpen(h, "2026-10-01T03:00+08:00");
            // The holiday's own night and its after-midnight tail are closed.
            assertClosed(h, "2026-10-01T22:00+08:00");
            assertClosed(h, "2026-10-02T03:00+08:00");
            // Friday is working again.
            assertOpen(h, "2026-10-02T22:00+08:00");
            assertOpen(h, "2026-10-03T03:00+08:00");
        }

        @Test
        void specialWorkdayOpensASunday() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai",
                     "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "ranges": [{"from": "09:00", "to": "12:00"}, {"from": "13:30", "to": "18:00"}],
                     "holidays": ["2026-10-01", "2026-10-02"],
                     "specialWorkdays": ["2026-09-27"]}""");
            assertOpen(h, "2026-09-27T10:00+08:00");
            assertClosed(h, "2026-09-27T12:30+08:00");
            assertClosed(h, "2026-09-27T19:00+08:00");
            assertClosed(h, "2026-09-20T10:00+08:00");
            assertClosed(h, "2026-09-26T10:00+08:00");
        }

        @Test
        void specialWorkdayOpensItsOvernightTail() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai", "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "ranges": [{"from": "22:00", "to": "06:00"}],
                     "specialWorkdays": ["2026-09-27"]}""");
            assertOpen(h, "2026-09-27T22:00+08:00");
            assertOpen(h, "2026-09-28T03:00+08:00");
            assertClosed(h, "2026-09-20T22:00+08:00");
            assertClosed(h, "2026-09-21T03:00+08:00");
        }
    }

    @Nested
    class DaylightSaving {

        private static final String NEW_YORK_OFFICE = """
                {"timeZone": "America/New_York", "weekdays": ["MON","TUE","WED","THU","FRI"],
                 "ranges": [{"from": "09:00", "to": "18:00"}]}""";
        private static final String BERLIN_OFFICE = """
                {"timeZone": "Europe/Berlin", "weekdays": ["MON","TUE","WED","THU","FRI"],
                 "ranges": [{"from": "09:00", "to": "18:00"}]}""";
        private static final String ALL_DAYS = "[\"MON\",\"TUE\",\"WED\",\"THU\",\"FRI\",\"SAT\",\"SUN\"]";

        @Test
        void newYorkSpringForwardKeepsLocalOpeningTime() {
            ServiceHours h = hours(NEW_YORK_OFFICE);
            // Friday 2026-03-06 is EST (UTC-5): 09:30 local = 14:30Z.
            assertOpenUtc(h, "2026-03-06T14:30:00Z");
            assertClosedUtc(h, "2026-03-06T13:30:00Z");
            assertOpenUtc(h, "2026-03-06T22:59:00Z");
            assertClosedUtc(h, "2026-03-06T23:00:00Z");
            // Monday 2026-03-09 is EDT (UTC-4): 09:30 local = 13:30Z, 08:30 local = 12:30Z.
            assertOpenUtc(h, "2026-03-09T13:30:00Z");
            assertClosedUtc(h, "2026-03-09T12:30:00Z");
            assertOpenUtc(h, "2026-03-09T21:59:00Z");
            assertClosedUtc(h, "2026-03-09T22:00:00Z");
        }

        @Test
        void newYorkFallBackKeepsLocalOpeningTime() {
            ServiceHours h = hours(NEW_YORK_OFFICE);
            // Friday 2026-10-30 is EDT: 09:30 local = 13:30Z.
            assertOpenUtc(h, "2026-10-30T13:30:00Z");
            assertClosedUtc(h, "2026-10-30T12:30:00Z");
            // Monday 2026-11-02 is EST: 09:30 local = 14:30Z, 13:30Z is 08:30 local.
            assertOpenUtc(h, "2026-11-02T14:30:00Z");
            assertClosedUtc(h, "2026-11-02T13:30:00Z");
            assertOpenUtc(h, "2026-11-02T22:59:00Z");
            assertClosedUtc(h, "2026-11-02T23:00:00Z");
        }

        @Test
        void newYorkSpringForwardGapStillClosesRange() {
            // 2026-03-08 02:00 EST jumps to 03:00 EDT at 07:00Z: local 02:00..02:59 never happens.
            ServiceHours h = hours("{\"timeZone\": \"America/New_York\", \"weekdays\": " + ALL_DAYS
                    + ", \"ranges\": [{\"from\": \"01:00\", \"to\": \"02:30\"}]}");
            assertClosedUtc(h, "2026-03-08T05:59:00Z"); // 00:59 EST
            assertOpenUtc(h, "2026-03-08T06:00:00Z");   // 01:00 EST
            assertOpenUtc(h, "2026-03-08T06:59:59Z");   // 01:59:59 EST
            assertClosedUtc(h, "2026-03-08T07:00:00Z"); // 03:00 EDT
            assertClosedUtc(h, "2026-03-08T07:30:00Z"); // 03:30 EDT
            assertOpenUtc(h, "2026-03-09T05:00:00Z");   // next day 01:00 EDT
        }

        @Test
        void newYorkOvernightRangeStaysOpenAcrossFallBackNight() {
            // Saturday 2026-10-31 22:00 EDT (02:00Z) until Sunday 2026-11-01 06:00 EST (11:00Z): 9 real hours,
            // including the repeated 01:00..02:00 local hour.
            ServiceHours h = hours("{\"timeZone\": \"America/New_York\", \"weekdays\": [\"SAT\"]"
                    + ", \"ranges\": [{\"from\": \"22:00\", \"to\": \"06:00\"}]}");
            assertClosedUtc(h, "2026-11-01T01:59:00Z");
            Instant start = utc("2026-11-01T02:00:00Z");
            Instant end = utc("2026-11-01T11:00:00Z");
            assertEquals(Duration.ofHours(9), Duration.between(start, end));
            int checked = 0;
            for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofMinutes(5))) {
                assertTrue(h.isOpen(t), "expected open at " + t);
                checked++;
            }
            assertEquals(108, checked);
            assertOpenUtc(h, "2026-11-01T05:30:00Z"); // 01:30 EDT
            assertOpenUtc(h, "2026-11-01T06:30:00Z"); // 01:30 EST, the same local time again
            assertClosedUtc(h, "2026-11-01T11:00:00Z"); // 06:00 EST
            assertClosedUtc(h, "2026-11-02T02:00:00Z"); // Sunday 21:00 EST, Sunday is not working
        }

        @Test
        void berlinSpringForwardKeepsLocalOpeningTime() {
            ServiceHours h = hours(BERLIN_OFFICE);
            // Friday 2026-03-27 is CET (UTC+1): 09:30 local = 08:30Z.
            assertOpenUtc(h, "2026-03-27T08:30:00Z");
            assertClosedUtc(h, "2026-03-27T07:30:00Z");
            assertOpenUtc(h, "2026-03-27T16:59:00Z");
            assertClosedUtc(h, "2026-03-27T17:00:00Z");
            // Monday 2026-03-30 is CEST (UTC+2): 09:30 local = 07:30Z, 06:30Z is 08:30 local.
            assertOpenUtc(h, "2026-03-30T07:30:00Z");
            assertClosedUtc(h, "2026-03-30T06:30:00Z");
            assertOpenUtc(h, "2026-03-30T15:59:00Z");
            assertClosedUtc(h, "2026-03-30T16:00:00Z");
        }

        @Test
        void berlinSpringForwardGapStillClosesRange() {
            // 2026-03-29 02:00 CET jumps to 03:00 CEST at 01:00Z.
            ServiceHours h = hours("{\"timeZone\": \"Europe/Berlin\", \"weekdays\": " + ALL_DAYS
                    + ", \"ranges\": [{\"from\": \"01:00\", \"to\": \"02:30\"}]}");
            assertClosedUtc(h, "2026-03-28T23:59:00Z"); // 00:59 CET
            assertOpenUtc(h, "2026-03-29T00:00:00Z");   // 01:00 CET
            assertOpenUtc(h, "2026-03-29T00:59:59Z");   // 01:59:59 CET
            assertClosedUtc(h, "2026-03-29T01:00:00Z"); // 03:00 CEST
            assertClosedUtc(h, "2026-03-29T02:00:00Z"); // 04:00 CEST
        }

        @Test
        void berlinFallBackKeepsLocalOpeningTime() {
            ServiceHours h = hours(BERLIN_OFFICE);
            // Friday 2026-10-23 is CEST: 09:30 local = 07:30Z.
            assertOpenUtc(h, "2026-10-23T07:30:00Z");
            assertClosedUtc(h, "2026-10-23T06:30:00Z");
            // Monday 2026-10-26 is CET: 09:30 local = 08:30Z, 07:30Z is 08:30 local.
            assertOpenUtc(h, "2026-10-26T08:30:00Z");
            assertClosedUtc(h, "2026-10-26T07:30:00Z");
            assertOpenUtc(h, "2026-10-26T16:59:00Z");
            assertClosedUtc(h, "2026-10-26T17:00:00Z");
        }

        @Test
        void berlinOvernightRangeStaysOpenAcrossFallBackNight() {
            // Saturday 2026-10-24 22:00 CEST (20:00Z) until Sunday 2026-10-25 06:00 CET (05:00Z).
            ServiceHours h = hours("{\"timeZone\": \"Europe/Berlin\", \"weekdays\": " + ALL_DAYS
                    + ", \"ranges\": [{\"from\": \"22:00\", \"to\": \"06:00\"}]}");
            assertClosedUtc(h, "2026-10-24T19:59:00Z");
            Instant start = utc("2026-10-24T20:00:00Z");
            Instant end = utc("2026-10-25T05:00:00Z");
            for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofMinutes(5))) {
                assertTrue(h.isOpen(t), "expected open at " + t);
            }
            assertClosedUtc(h, "2026-10-25T05:00:00Z");
            assertClosedUtc(h, "2026-10-25T12:00:00Z");
        }

        @Test
        void berlinRepeatedHourFollowsTheWallClock() {
            // On 2026-10-25 local 02:00..02:59 happens twice (CEST, then CET from 01:00Z).
            ServiceHours h = hours("{\"timeZone\": \"Europe/Berlin\", \"weekdays\": " + ALL_DAYS
                    + ", \"ranges\": [{\"from\": \"01:00\", \"to\": \"02:30\"}]}");
            assertOpenUtc(h, "2026-10-24T23:30:00Z");   // 01:30 CEST
            assertOpenUtc(h, "2026-10-25T00:15:00Z");   // 02:15 CEST
            assertClosedUtc(h, "2026-10-25T00:30:00Z"); // 02:30 CEST
            assertOpenUtc(h, "2026-10-25T01:15:00Z");   // 02:15 CET
            assertClosedUtc(h, "2026-10-25T01:30:00Z"); // 02:30 CET
        }
    }

    @Nested
    class Validation {

        @Test
        void exampleFromTheNodeDocumentationIsValid() {
            ServiceHours h = hours("""
                    {"timeZone": "Asia/Shanghai",
                     "weekdays": ["MON","TUE","WED","THU","FRI"],
                     "ranges": [{"from": "09:00", "to": "12:00"}, {"from": "13:30", "to": "18:00"}],
                     "holidays": ["2026-10-01", "2026-10-02"],
                     "specialWorkdays": ["2026-09-27"]}""");
            assertEquals(ZoneId.of("Asia/Shanghai"), h.zone());
        }

        @Test
        void unknownTimeZone() {
            assertOnlyProblem("timeZone: unknown time zone 'Mars/Base'",
                    "{\"timeZone\": \"Mars/Base\", \"weekdays\": [\"MON\"]}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"+08:00", "Z", "UTC+8", "asia/shanghai", "Asia/Shanghai "})
        void timeZoneMustBeAnExactIanaId(String zone) {
            assertOnlyProblem("timeZone: unknown time zone '" + zone + "'",
                    "{\"timeZone\": \"" + zone + "\", \"weekdays\": [\"MON\"]}");
        }

        @Test
        void utcIsAcceptedAsAZoneId() {
            assertEquals(ZoneId.of("UTC"), hours("{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"]}").zone());
        }

        @Test
        void timeZoneRequiredAndMustBeAString() {
            assertOnlyProblem("timeZone: required", "{\"weekdays\": [\"MON\"]}");
            assertOnlyProblem("timeZone: required", "{\"timeZone\": null, \"weekdays\": [\"MON\"]}");
            assertOnlyProblem("timeZone: must be a non-empty string", "{\"timeZone\": 8, \"weekdays\": [\"MON\"]}");
            assertOnlyProblem("timeZone: must be a non-empty string", "{\"timeZone\": \" \", \"weekdays\": [\"MON\"]}");
        }

        @Test
        void weekdaysRequiredAndNotEmpty() {
            assertOnlyProblem("weekdays: required", "{\"timeZone\": \"UTC\"}");
            assertOnlyProblem("weekdays: must not be empty", "{\"timeZone\": \"UTC\", \"weekdays\": []}");
        }

        @Test
        void weekdaysAsAStringIsAWrongType() {
            assertOnlyProblem("weekdays: must be an array of days MON..SUN",
                    "{\"timeZone\": \"UTC\", \"weekdays\": \"MON\"}");
        }

        @Test
        void badDayNames() {
            assertEquals(List.of(
                            "weekdays[1]: 'FUNDAY' is not a day MON..SUN",
                            "weekdays[2]: 'MONDAY' is not a day MON..SUN",
                            "weekdays[3]: must be a string"),
                    problems("{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\", \"FUNDAY\", \"MONDAY\", 1]}"));
        }

        @Test
        void dayNamesAreCaseInsensitive() {
            ServiceHours h = hours("{\"timeZone\": \"UTC\", \"weekdays\": [\"mon\", \"Tue\"]}");
            assertTrue(h.isOpen(utc("2026-06-01T10:00:00Z")));
            assertTrue(h.isOpen(utc("2026-06-02T10:00:00Z")));
            assertFalse(h.isOpen(utc("2026-06-03T10:00:00Z")));
        }

        @Test
        void duplicateDayIsReportedEvenInAnotherCase() {
            assertOnlyProblem("weekdays[1]: duplicate 'mon'",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\", \"mon\"]}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"25:00", "9:00", "09:60", "0900", "", "24:01", "09:00:00", "ab:cd", "-1:00"})
        void badTimeIsReportedWithItsField(String time) {
            assertOnlyProblem("ranges[1].to: '" + time + "' is not a time HH:mm",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": ["
                            + "{\"from\": \"08:00\", \"to\": \"10:00\"}, {\"from\": \"11:00\", \"to\": \"" + time + "\"}]}");
            assertOnlyProblem("ranges[0].from: '" + time + "' is not a time HH:mm",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": [{\"from\": \"" + time
                            + "\", \"to\": \"10:00\"}]}");
        }

        @Test
        void endOfDayOnlyAllowedAsTo() {
            assertOnlyProblem("ranges[0].from: '24:00' is only allowed as the end of a range",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": [{\"from\": \"24:00\", \"to\": \"06:00\"}]}");
        }

        @Test
        void fromEqualToTo() {
            assertOnlyProblem("ranges[1]: from and to are both '09:00'; a range must not be empty",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": ["
                            + "{\"from\": \"01:00\", \"to\": \"02:00\"}, {\"from\": \"09:00\", \"to\": \"09:00\"}]}");
        }

        @Test
        void rangeShapeProblems() {
            assertOnlyProblem("ranges: must be an array",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": {\"from\": \"09:00\", \"to\": \"18:00\"}}");
            assertOnlyProblem("ranges[0]: must be an object with from and to",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": [\"09:00-18:00\"]}");
            assertOnlyProblem("ranges[0].to: required",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": [{\"from\": \"09:00\"}]}");
            assertOnlyProblem("ranges[0].from: must be a string HH:mm",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": [{\"from\": 900, \"to\": \"18:00\"}]}");
            assertOnlyProblem("ranges[0].until: unknown setting",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"ranges\": [{\"from\": \"09:00\", \"to\": \"18:00\", \"until\": \"19:00\"}]}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-13-01", "2026-02-30", "2026-1-05", "26-01-05", "2026/01/05", "+2026-01-05", "tomorrow"})
        void badDateIsReportedWithItsField(String date) {
            assertOnlyProblem("holidays[0]: '" + date + "' is not a date yyyy-MM-dd",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"holidays\": [\"" + date + "\"]}");
            assertOnlyProblem("specialWorkdays[1]: '" + date + "' is not a date yyyy-MM-dd",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"specialWorkdays\": [\"2026-09-27\", \"" + date + "\"]}");
        }

        @Test
        void duplicateDates() {
            assertOnlyProblem("holidays[2]: duplicate '2026-10-01'",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"holidays\": [\"2026-10-01\", \"2026-10-02\", \"2026-10-01\"]}");
            assertOnlyProblem("specialWorkdays[1]: duplicate '2026-09-27'",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"specialWorkdays\": [\"2026-09-27\", \"2026-09-27\"]}");
        }

        @Test
        void dateInBothLists() {
            assertOnlyProblem("specialWorkdays[1]: '2026-10-01' is also listed in holidays",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"holidays\": [\"2026-10-01\"],"
                            + " \"specialWorkdays\": [\"2026-09-27\", \"2026-10-01\"]}");
        }

        @Test
        void dateListsOfTheWrongType() {
            assertOnlyProblem("holidays: must be an array of dates yyyy-MM-dd",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"holidays\": \"2026-10-01\"}");
            assertOnlyProblem("specialWorkdays[0]: must be a string",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"specialWorkdays\": [20260927]}");
        }

        @Test
        void unknownSetting() {
            assertOnlyProblem("colour: unknown setting",
                    "{\"timeZone\": \"UTC\", \"weekdays\": [\"MON\"], \"colour\": \"blue\"}");
        }

        @Test
        void settingsMustBeAnObject() {
            assertOnlyProblem("settings: must be an object", "[]");
            assertOnlyProblem("settings: must be an object", "\"Asia/Shanghai\"");
        }

        @Test
        void missingSettingsReportRequiredFields() {
            List<String> expected = List.of("timeZone: required", "weekdays: required");
            assertEquals(expected, ServiceHours.parse(null).problems());
            assertEquals(expected, ServiceHours.parse(NullNode.getInstance()).problems());
            assertEquals(expected, problems("{}"));
        }

        @Test
        void severalProblemsAreReportedTogether() {
            List<String> problems = problems("""
                    {"timeZone": "Mars/Base",
                     "weekdays": ["MON", "XYZ", "MON"],
                     "ranges": [{"from": "09:00", "to": "25:00"}, {"from": "10:00", "to": "10:00"}],
                     "holidays": ["2026-13-01", "2026-10-01"],
                     "specialWorkdays": ["2026-10-01"],
                     "colour": "red",
                     "mood": 1}""");
            assertEquals(List.of(
                    "timeZone: unknown time zone 'Mars/Base'",
                    "weekdays[1]: 'XYZ' is not a day MON..SUN",
                    "weekdays[2]: duplicate 'MON'",
                    "ranges[0].to: '25:00' is not a time HH:mm",
                    "ranges[1]: from and to are both '10:00'; a range must not be empty",
                    "holidays[0]: '2026-13-01' is not a date yyyy-MM-dd",
                    "specialWorkdays[0]: '2026-10-01' is also listed in holidays",
                    "colour: unknown setting",
                    "mood: unknown setting"), problems);
        }

        @Test
        void parsedHoldsHoursOrProblemsNeverBoth() {
            ServiceHours.Parsed ok = ServiceHours.parse(json(OFFICE));
            assertNotNull(ok.hours());
            assertTrue(ok.problems().isEmpty());
            ServiceHours.Parsed bad = ServiceHours.parse(json("{}"));
            assertNull(bad.hours());
            assertThrows(UnsupportedOperationException.class, () -> bad.problems().add("x"));
            assertThrows(IllegalArgumentException.class, () -> new ServiceHours.Parsed(null, List.of()));
            assertThrows(IllegalArgumentException.class, () -> new ServiceHours.Parsed(ok.hours(), List.of("x: y")));
        }

        @Test
        void isOpenRejectsNull() {
            ServiceHours h = hours(OFFICE);
            assertThrows(NullPointerException.class, () -> h.isOpen(null));
        }
    }
}
