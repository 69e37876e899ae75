package io.callstream.pbx;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a load run measured.
 *
 * @param started      calls placed
 * @param completed    calls that ended by themselves (not hung up at the end of the drain)
 * @param failed       calls whose result is FAILED (script step failed, FastAGI unreachable...)
 * @param cutOff       calls still up after the drain, hung up by the generator
 * @param byResult     calls per result (AGENT, COMPLETED, ABANDONED, FAILED...)
 * @param latencies    per step: from the caller's action (call start, keys, speech) to the next prompt heard
 * @param timeToAgent  call start to bridged with an agent
 * @param elapsed      wall time of the run
 */
public record LoadReport(LoadProfile profile, int started, int completed, int failed, int cutOff,
                         Map<String, Integer> byResult, List<Stat> latencies, Stat timeToAgent, Duration elapsed) {

    /** Percentiles of one measurement, in milliseconds. */
    public record Stat(String name, int count, long p50, long p95, long p99, long max) {
        static Stat of(String name, List<Long> samples) {
            if (samples.isEmpty()) {
                return new Stat(name, 0, 0, 0, 0, 0);
            }
            long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Stat(name, sorted.length, rank(sorted, 50), rank(sorted, 95), rank(sorted, 99), sorted[sorted.length - 1]);
        }

        /** Nearest-rank percentile. */
        private static long rank(long[] sorted, int percentile) {
            int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Load: %d started, %d completed, %d failed, %d cut off in %.1f s "
                        + "(concurrency %d, %.2f calls/s for %d s, at most %d calls)%n",
                started, completed, failed, cutOff, elapsed.toMillis() / 1000.0, profile.concurrency(),
                profile.callsPerSecond(), profile.duration().toSeconds(), profile.maxCalls()));
        sb.append("Results:");
        byResult.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        sb.append(String.format("%n%-40s %7s %7s %7s %7s %7s%n", "Latency (ms)", "n", "p50", "p95", "p99", "max"));
        for (Stat s : latencies) {
            sb.append(line(s));
        }
        sb.append(line(timeToAgent));
        return sb.toString();
    }

    private static String line(Stat s) {
        return String.format("  %-38s %7d %7d %7d %7d %7d%n", s.name(), s.count(), s.p50(), s.p95(), s.p99(), s.max());
    }
}
