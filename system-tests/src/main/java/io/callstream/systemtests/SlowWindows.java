package io.callstream.systemtests;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a benchmark's slow samples fall in time, per wall-clock 100 ms of the broker's append: in bursts
 * (something stopped the whole stack for a moment: a collection, the machine, a statement) or spread evenly
 * (waiting for a core). Prints how many windows hold them, the worst windows with their wall-clock time (to
 * set against GC and PostgreSQL logs), and how steady the offered load was.
 */
final class SlowWindows {
    private final TreeMap<Long, int[]> tenths = new TreeMap<>();
    private final long thresholdMs;

    /** {@code thresholdMs}: a sample this many ms or more from its append is slow. */
    SlowWindows(long thresholdMs) {
        this.thresholdMs = thresholdMs;
    }

    /** One sample: appended by the broker at {@code appendedMs} (epoch ms), {@code latencyMs} after that. */
    void add(long appendedMs, double latencyMs) {
        int[] slot = tenths.computeIfAbsent(appendedMs / 100, k -> new int[2]);
        slot[0]++;
        if (latencyMs >= thresholdMs) {
            slot[1]++;
        }
    }

    /** Prints two lines, {@code noun} naming the samples ("steps", "transfers"). */
    void print(String noun) {
        long slow = tenths.values().stream().mapToLong(v -> v[1]).sum();
        long windowsWithSlow = tenths.values().stream().filter(v -> v[1] > 0).count();
        List<Map.Entry<Long, int[]>> worst = new ArrayList<>(tenths.entrySet());
        worst.sort((x, y) -> Integer.compare(y.getValue()[1], x.getValue()[1]));
        long inWorst10 = worst.stream().limit(10).mapToLong(e -> e.getValue()[1]).sum();
        StringBuilder top = new StringBuilder();
        DateTimeFormatter f = DateTimeFormatter.ofPattern("HH:mm:ss.S").withZone(ZoneOffset.UTC);
        worst.stream().limit(5).filter(e -> e.getValue()[1] > 0).forEach(e -> top.append(String.format(" %s %d/%d,",
                f.format(Instant.ofEpochMilli(e.getKey() * 100)), e.getValue()[1], e.getValue()[0])));
        System.out.printf("    in time: the %d %s of %d ms or more fall in %d of %d 100-ms windows; the worst 10 windows hold %.0f %% "
                        + "of them; worst (UTC, slow/all):%s%n", slow, noun, thresholdMs, windowsWithSlow, tenths.size(),
                100.0 * inWorst10 / Math.max(1, slow), top.length() == 0 ? " none" : top.substring(0, top.length() - 1));
        // how steady the offered load was: samples appended per 100 ms (the driver's pace, as the broker saw it)
        int[] perWindow = tenths.values().stream().mapToInt(v -> v[0]).sorted().toArray();
        double mean = Arrays.stream(perWindow).average().orElse(0);
        long bursts = Arrays.stream(perWindow).filter(n -> n > 1.2 * mean).count();
        long slowInBursts = tenths.values().stream().filter(v -> v[0] > 1.2 * mean).mapToLong(v -> v[1]).sum();
        System.out.printf("    offered load: %s appended per 100 ms p50 %d, p99 %d, max %d; %d windows above 1.2 times the mean "
                        + "(the driver catching up after it was held up) hold %.0f %% of the slow %s%n", noun,
                perWindow.length == 0 ? 0 : perWindow[perWindow.length / 2],
                perWindow.length == 0 ? 0 : perWindow[(int) Math.min(perWindow.length - 1, Math.floor(perWindow.length * 0.99))],
                perWindow.length == 0 ? 0 : perWindow[perWindow.length - 1], bursts, 100.0 * slowInBursts / Math.max(1, slow), noun);
    }
}
