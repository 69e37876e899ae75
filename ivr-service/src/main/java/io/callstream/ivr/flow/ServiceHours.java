package io.callstream.ivr.flow;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of the IVR "Service hours" node: whether a call arrives in or out of the business's hours.
 *
 * <p>Settings (a JSON object):
 * <ul>
 *   <li>{@code timeZone} (required): an IANA zone id such as {@code "Asia/Shanghai"}. Fixed offsets such as
 *       {@code "+08:00"} are not accepted. Everything below is evaluated on the wall clock (local date and time)
 *       of that zone.</li>
 *   <li>{@code weekdays} (required, non-empty): the working weekdays, {@code MON}..{@code SUN}
 *       (any letter case), without duplicates.</li>
 *   <li>{@code ranges} (optional): opening ranges {@code {"from": "HH:mm", "to": "HH:mm"}} (24-hour clock).
 *       Absent or empty means open all day on working days. {@code from} is inclusive and {@code to} exclusive;
 *       {@code to} may be {@code "24:00"} (end of day); {@code from == to} is an error. When {@code to} is earlier
 *       than {@code from} the range crosses midnight: it opens at {@code from} on a working day and closes at
 *       {@code to} the next morning, and that after-midnight part belongs to the day the range started (so it
 *       follows that day's working-day status, not the next day's). Overlapping ranges are merged (union); a
 *       morning/afternoon split is two ranges.</li>
 *   <li>{@code holidays}, {@code specialWorkdays} (optional): local dates {@code yyyy-MM-dd} without duplicates.
 *       A working day is a date whose weekday is listed and which is not a holiday, or any special working
 *       day. A date may not be in both lists.</li>
 * </ul>
 * Any other setting is an error. A JSON {@code null} value counts as absent.
 *
 * <p>Daylight saving: an instant is converted to the zone's local date and time before the ranges are
 * checked, so ranges keep their wall-clock meaning on both sides of a transition. Local times skipped by a
 * spring-forward gap simply never occur; during a fall-back the repeated local hour is checked (by wall clock)
 * each time it occurs.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ServiceHours {

    private static final String TIME_ZONE = "timeZone";
    private static final String WEEKDAYS = "weekdays";
    private static final String RANGES = "ranges";
    private static final String HOLIDAYS = "holidays";
    private static final String SPECIAL_WORKDAYS = "specialWorkdays";
    private static final Set<String> SETTINGS = Set.of(TIME_ZONE, WEEKDAYS, RANGES, HOLIDAYS, SPECIAL_WORKDAYS);
    private static final Set<String> RANGE_SETTINGS = Set.of("from", "to");

    private static final Pattern TIME = Pattern.compile("([0-9]{2}):([0-9]{2})");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
    private static final int MINUTES_PER_DAY = 24 * 60;
    private static final Map<String, DayOfWeek> DAY_NAMES = dayNames();

    private final ZoneId zone;
    private final Set<DayOfWeek> weekdays;
    private final List<Range> ranges;
    private final Set<LocalDate> holidays;
    private final Set<LocalDate> specialWorkdays;

    /** One opening range in minutes of the day; {@code to < from} crosses midnight, {@code to} may be 1440. */
    private record Range(int from, int to) {
        boolean crossesMidnight() {
            return to < from;
        }
    }

    /**
     * The outcome of {@link #parse}: the parsed hours, or every problem found.
     *
     * @param hours    the service hours; {@code null} exactly when {@code problems} is non-empty
     * @param problems {@code "field: message"} strings, empty when the settings are valid
     */
    public record Parsed(ServiceHours hours, List<String> problems) {
        public Parsed {
            problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
            if ((hours == null) == problems.isEmpty()) {
                throw new IllegalArgumentException("hours must be null exactly when there are problems");
            }
        }
    }

    private ServiceHours(ZoneId zone, Set<DayOfWeek> weekdays, List<Range> ranges,
                         Set<LocalDate> holidays, Set<LocalDate> specialWorkdays) {
        this.zone = zone;
        this.weekdays = Collections.unmodifiableSet(EnumSet.copyOf(weekdays));
        this.ranges = List.copyOf(ranges);
        this.holidays = Set.copyOf(holidays);
        this.specialWorkdays = Set.copyOf(specialWorkdays);
    }

    /**
     * Parses and validates; every problem found (not just the first) as "field: message" strings, e.g.
     * "timeZone: unknown time zone 'Mars/Base'", "ranges[1].to: '25:00' is not a time HH:mm",
     * "holidays[0]: '2026-13-01' is not a date yyyy-MM-dd", "weekdays: required", "colour: unknown setting".
     * A {@code null} (or JSON null) argument is read as an empty object.
     */
    public static Parsed parse(JsonNode settings) {
        List<String> problems = new ArrayList<>();
        if (settings != null && !settings.isNull() && !settings.isObject()) {
            problems.add("settings: must be an object");
            return new Parsed(null, problems);
        }
        JsonNode root = settings == null ? null : settings.isObject() ? settings : null;

        ZoneId zone = parseZone(value(root, TIME_ZONE), problems);
        Set<DayOfWeek> weekdays = parseWeekdays(value(root, WEEKDAYS), problems);
        List<Range> ranges = parseRanges(value(root, RANGES), problems);
        Map<LocalDate, Integer> holidays = parseDates(HOLIDAYS, value(root, HOLIDAYS), problems);
        Map<LocalDate, Integer> special = parseDates(SPECIAL_WORKDAYS, value(root, SPECIAL_WORKDAYS), problems);
        for (Map.Entry<LocalDate, Integer> e : special.entrySet()) {
            if (holidays.containsKey(e.getKey())) {
                problems.add(SPECIAL_WORKDAYS + "[" + e.getValue() + "]: '" + e.getKey()
                        + "' is also listed in holidays");
            }
        }
        if (root != null) {
            for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!SETTINGS.contains(name)) {
                    problems.add(name + ": unknown setting");
                }
            }
        }

        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        return new Parsed(new ServiceHours(zone, weekdays, ranges, holidays.keySet(), special.keySet()), problems);
    }

    /** Whether the business is open at that instant. */
    public boolean isOpen(Instant at) {
        Objects.requireNonNull(at, "at");
        LocalDateTime local = LocalDateTime.ofInstant(at, zone);
        LocalDate day = local.toLocalDate();
        boolean today = isWorkingDay(day);
        if (ranges.isEmpty()) {
            return today;
        }
        int minute = local.getHour() * 60 + local.getMinute();
        Boolean yesterday = null;
        for (Range range : ranges) {
            if (!range.crossesMidnight()) {
                if (today && minute >= range.from() && minute < range.to()) {
                    return true;
                }
            } else {
                if (today && minute >= range.from()) {
                    return true;
                }
                if (minute < range.to()) {
                    if (yesterday == null) {
                        yesterday = isWorkingDay(day.minusDays(1));
                    }
                    if (yesterday) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The zone whose wall clock the hours are evaluated in. */
    public ZoneId zone() {
        return zone;
    }

    private boolean isWorkingDay(LocalDate date) {
        return specialWorkdays.contains(date)
                || (weekdays.contains(date.getDayOfWeek()) && !holidays.contains(date));
    }

    // ---- parsing helpers ----

    /** The value of a field, or null when absent or JSON null. */
    private static JsonNode value(JsonNode object, String field) {
        if (object == null) {
            return null;
        }
        JsonNode v = object.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static ZoneId parseZone(JsonNode v, List<String> problems) {
        if (v == null) {
            problems.add(TIME_ZONE + ": required");
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(TIME_ZONE + ": must be a non-empty string");
            return null;
        }
        String id = v.asText();
        if (!ZoneId.getAvailableZoneIds().contains(id)) {
            problems.add(TIME_ZONE + ": unknown time zone '" + id + "'");
            return null;
        }
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            problems.add(TIME_ZONE + ": unknown time zone '" + id + "'");
            return null;
        }
    }

    private static Set<DayOfWeek> parseWeekdays(JsonNode v, List<String> problems) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        if (v == null) {
            problems.add(WEEKDAYS + ": required");
            return days;
        }
        if (!v.isArray()) {
            problems.add(WEEKDAYS + ": must be an array of days MON..SUN");
            return days;
        }
        if (v.isEmpty()) {
            problems.add(WEEKDAYS + ": must not be empty");
            return days;
        }
        for (int i = 0; i < v.size(); i++) {
            String field = WEEKDAYS + "[" + i + "]";
            JsonNode item = v.get(i);
            if (!item.isTextual()) {
                problems.add(field + ": must be a string");
                continue;
            }
            String name = item.asText();
            DayOfWeek day = DAY_NAMES.get(name.toUpperCase(Locale.ROOT));
            if (day == null) {
                problems.add(field + ": '" + name + "' is not a day MON..SUN");
            } else if (!days.add(day)) {
                problems.add(field + ": duplicate '" + name + "'");
            }
        }
        return days;
    }

    private static List<Range> parseRanges(JsonNode v, List<String> problems) {
        List<Range> ranges = new ArrayList<>();
        if (v == null) {
            return ranges;
        }
        if (!v.isArray()) {
            problems.add(RANGES + ": must be an array");
            return ranges;
        }
        for (int i = 0; i < v.size(); i++) {
            String field = RANGES + "[" + i + "]";
            JsonNode item = v.get(i);
            if (!item.isObject()) {
                problems.add(field + ": must be an object with from and to");
                continue;
            }
            for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!RANGE_SETTINGS.contains(name)) {
                    problems.add(field + "." + name + ": unknown setting");
                }
            }
            int from = parseTime(field + ".from", value(item, "from"), false, problems);
            int to = parseTime(field + ".to", value(item, "to"), true, problems);
            if (from < 0 || to < 0) {
                continue;
            }
            if (from == to) {
                problems.add(field + ": from and to are both '" + item.get("from").asText()
                        + "'; a range must not be empty");
                continue;
            }
            ranges.add(new Range(from, to));
        }
        return ranges;
    }

    /** Minutes since midnight (1440 for "24:00" when allowed), or -1 after recording a problem. */
    private static int parseTime(String field, JsonNode v, boolean endOfDayAllowed, List<String> problems) {
        if (v == null) {
            problems.add(field + ": required");
            return -1;
        }
        if (!v.isTextual()) {
            problems.add(field + ": must be a string HH:mm");
            return -1;
        }
        String text = v.asText();
        Matcher m = TIME.matcher(text);
        if (m.matches()) {
            int hour = Integer.parseInt(m.group(1));
            int minute = Integer.parseInt(m.group(2));
            if (hour < 24 && minute < 60) {
                return hour * 60 + minute;
            }
            if (hour == 24 && minute == 0) {
                if (endOfDayAllowed) {
                    return MINUTES_PER_DAY;
                }
                problems.add(field + ": '24:00' is only allowed as the end of a range");
                return -1;
            }
        }
        problems.add(field + ": '" + text + "' is not a time HH:mm");
        return -1;
    }

    /** Each valid date with the index it was first listed at (insertion order). */
    private static Map<LocalDate, Integer> parseDates(String name, JsonNode v, List<String> problems) {
        Map<LocalDate, Integer> dates = new LinkedHashMap<>();
        if (v == null) {
            return dates;
        }
        if (!v.isArray()) {
            problems.add(name + ": must be an array of dates yyyy-MM-dd");
            return dates;
        }
        for (int i = 0; i < v.size(); i++) {
            String field = name + "[" + i + "]";
            JsonNode item = v.get(i);
            if (!item.isTextual()) {
                problems.add(field + ": must be a string");
                continue;
            }
            String text = item.asText();
            LocalDate date = null;
            if (DATE.matcher(text).matches()) {
                try {
                    date = LocalDate.parse(text);
                } catch (DateTimeException e) {
                    date = null;
                }
            }
            if (date == null) {
                problems.add(field + ": '" + text + "' is not a date yyyy-MM-dd");
            } else if (dates.putIfAbsent(date, i) != null) {
                problems.add(field + ": duplicate '" + text + "'");
            }
        }
        return dates;
    }

    private static Map<String, DayOfWeek> dayNames() {
        Map<String, DayOfWeek> names = new LinkedHashMap<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            names.put(day.name().substring(0, 3), day);
        }
        return Map.copyOf(names);
    }
}
