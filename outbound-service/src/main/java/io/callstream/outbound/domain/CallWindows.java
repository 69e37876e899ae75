package io.callstream.outbound.domain;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When a task may dial: daily windows of local time on chosen weekdays in the task's time zone. A
 * window whose end is not after its start crosses midnight and belongs to the weekday it starts on.
 * Local times are compared on the local clock, so a window keeps its local hours across a
 * daylight-saving change (the day is an hour shorter or longer, the window is not moved).
 */
public final class CallWindows {
    /** One daily window, in minutes of the local day: start 0..1439, end 1..1440 (1440 = 24:00). */
    public record Window(int start, int end) {
        public boolean crossesMidnight() {
            return end <= start;
        }

        @Override
        public String toString() {
            return hhmm(start) + "-" + hhmm(end);
        }
    }

    public static final List<Window> ALL_DAY = List.of(new Window(0, 1440));

    private final ZoneId zone;
    private final Set<DayOfWeek> weekdays;
    private final List<Window> windows;

    public CallWindows(ZoneId zone, Set<DayOfWeek> weekdays, List<Window> windows) {
        this.zone = zone;
        this.weekdays = weekdays.isEmpty() ? EnumSet.noneOf(DayOfWeek.class) : EnumSet.copyOf(weekdays);
        this.windows = List.copyOf(windows);
    }

    /** From the stored form: {@code MON,TUE,...} and {@code 09:00-12:00,13:30-18:00}. */
    public static CallWindows parse(String zone, String weekdays, String windows) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String d : weekdays.split(",")) {
            if (!d.isBlank()) {
                days.add(day(d.trim()));
            }
        }
        List<Window> ws = new ArrayList<>();
        for (String w : windows.split(",")) {
            if (!w.isBlank()) {
                String[] se = w.trim().split("-");
                ws.add(new Window(minutes(se[0]), minutes(se[1])));
            }
        }
        return new CallWindows(ZoneId.of(zone), days, ws);
    }

    /** {@code MON}…{@code SUN} or the full English name, any case. */
    public static DayOfWeek day(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().equals(n) || d.name().substring(0, 3).equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("not a weekday: " + name + " (MON…SUN)");
    }

    /** {@code HH:mm}, 00:00 to 24:00, as minutes of the day. */
    public static int minutes(String hhmm) {
        String t = hhmm.trim();
        if (t.equals("24:00")) {
            return 1440;
        }
        if (!t.matches("\\d{2}:\\d{2}")) {
            throw new IllegalArgumentException("not a time of day (HH:mm): " + hhmm);
        }
        try {
            LocalTime lt = LocalTime.parse(t);
            return lt.getHour() * 60 + lt.getMinute();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a time of day (00:00 to 24:00): " + hhmm);
        }
    }

    static String hhmm(int minutes) {
        return String.format(Locale.ROOT, "%02d:%02d", minutes / 60, minutes % 60);
    }

    public String weekdaysText() {
        return weekdays.stream().map(d -> d.name().substring(0, 3)).collect(Collectors.joining(","));
    }

    public String windowsText() {
        return windows.stream().map(Window::toString).collect(Collectors.joining(","));
    }

    public ZoneId zone() {
        return zone;
    }

    public Set<DayOfWeek> weekdays() {
        return EnumSet.copyOf(weekdays.isEmpty() ? EnumSet.noneOf(DayOfWeek.class) : weekdays);
    }

    public List<Window> windows() {
        return windows;
    }

    /** Whether a dial may start at {@code t}. */
    public boolean isOpen(Instant t) {
        ZonedDateTime local = t.atZone(zone);
        int m = local.getHour() * 60 + local.getMinute();
        DayOfWeek today = local.getDayOfWeek();
        for (Window w : windows) {
            if (!w.crossesMidnight()) {
                if (weekdays.contains(today) && m >= w.start && m < w.end) {
                    return true;
                }
            } else if ((weekdays.contains(today) && m >= w.start)
                    || (weekdays.contains(today.minus(1)) && m < w.end)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some window is open at some moment in [{@code from}, {@code to}). */
    public boolean opensBetween(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            return false;
        }
        LocalDate first = from.atZone(zone).toLocalDate().minusDays(1);
        LocalDate last = to.atZone(zone).toLocalDate();
        // the pattern repeats weekly: eight days from the first cover every weekday and window
        if (last.isAfter(first.plusDays(8))) {
            last = first.plusDays(8);
        }
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            if (!weekdays.contains(d.getDayOfWeek())) {
                continue;
            }
            for (Window w : windows) {
                Instant open = at(d, w.start);
                Instant close = w.crossesMidnight() || w.end == 1440 ? at(d.plusDays(1), w.end % 1440) : at(d, w.end);
                if (open.isBefore(to) && close.isAfter(from)) {
                    return true;
                }
            }
        }
        return false;
    }

    private Instant at(LocalDate date, int minutes) {
        // a local time in a spring-forward gap resolves to the instant after the gap
        return date.atTime(minutes / 60, minutes % 60).atZone(zone).toInstant();
    }
}
