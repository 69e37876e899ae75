package io.callstream.pbx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Places calls from a caller template at a steady rate, bounded in concurrency, count and time,
 * and reports latency percentiles. {@code {n}} in the template's number is the call's index
 * ({@code {n:6}} zero-pads it to six digits).
 */
public final class LoadGenerator {
    private static final Pattern INDEX = Pattern.compile("\\{n(?::(\\d+))?}");

    private LoadGenerator() {
    }

    /** Runs the load on {@code sim} and blocks until it is over. */
    public static LoadReport run(PbxSimulator sim, CallerScript template, LoadProfile profile) {
        long start = System.nanoTime();
        long end = start + profile.duration().toNanos();
        long interval = (long) (1_000_000_000L / profile.callsPerSecond());
        Semaphore slots = new Semaphore(profile.concurrency());
        List<SimCall> calls = new ArrayList<>();
        long next = start;
        try {
            while (calls.size() < profile.maxCalls() && System.nanoTime() - end < 0) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                long left = end - System.nanoTime();
                if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                CallerScript script = template.withFrom(numbered(template.fromNumber(), calls.size() + 1));
                SimCall call = sim.call(script);
                call.log().finished.whenComplete((t, e) -> slots.release());
                calls.add(call);
                next += interval;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int cutOff = drain(calls, profile.drainTimeout());
        return report(profile, calls, cutOff, Duration.ofNanos(System.nanoTime() - start));
    }

    private static int drain(List<SimCall> calls, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int cutOff = 0;
        for (SimCall c : calls) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    c.log().finished.get(left, TimeUnit.NANOSECONDS);
                    continue;
                }
            } catch (Exception e) {
                // still up: cut off below
            }
            if (!c.ended()) {
                cutOff++;
                c.log().event("note", "still up when the load run ended; hung up");
                c.hangup();
            }
        }
        for (SimCall c : calls) {
            try {
                c.log().finished.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported as it is
            }
        }
        return cutOff;
    }

    static LoadReport report(LoadProfile profile, List<SimCall> calls, int cutOff, Duration elapsed) {
        Map<String, Integer> byResult = new TreeMap<>();
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        List<Long> toAgent = new ArrayList<>();
        int failed = 0;
        int completed = 0;
        for (SimCall c : calls) {
            Transcript t = c.transcript();
            String result = t.result() == null ? "UNFINISHED" : t.result();
            byResult.merge(result, 1, Integer::sum);
            if ("FAILED".equals(result)) {
                failed++;
            }
            if (t.ended()) {
                completed++;
            }
            for (CallLog.Latency l : c.log().latencies()) {
                samples.computeIfAbsent(l.label() + " -> next prompt", k -> new ArrayList<>()).add(l.millis());
            }
            long bridged = c.log().bridgedAtMs();
            if (bridged >= 0) {
                toAgent.add(bridged);
            }
        }
        List<LoadReport.Stat> stats = new ArrayList<>();
        samples.forEach((name, list) -> stats.add(LoadReport.Stat.of(name, list)));
        return new LoadReport(profile, calls.size(), completed - cutOff, failed, cutOff, byResult, stats,
                LoadReport.Stat.of("time to agent", toAgent), elapsed);
    }

    /** The number with {@code {n}} replaced by the index. */
    static String numbered(String template, int index) {
        Matcher m = INDEX.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String width = m.group(1);
            String value = width == null ? String.valueOf(index) : String.format("%0" + Integer.parseInt(width) + "d", index);
            m.appendReplacement(sb, value);
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
