package io.callstream.systemtests;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * How often this machine takes a core away from a thread that wants it, printed before a load benchmark
 * so that its latency figures can be read against the machine they came from. One thread per core spins
 * reading the clock for a few seconds with nothing else of the stack running; every gap between two reads
 * of 1 ms or more is time the thread was not running (the hypervisor, or the kernel's own work), since
 * nothing else here wants the cores. A benchmark step that lands in such a gap waits it out.
 *
 * <p>Then how fast a core is: one thread sorting copies of one fixed array of 100,000 pseudo-random ints
 * for a second (after half a second of warm-up). A shared machine's cores can be slower one hour than the
 * next without any gap (the host's other guests); the figure only compares runs on this kind of machine.
 *
 * <p>Usage: {@code MachineNoise [SECONDS]} (default 5).
 */
public final class MachineNoise {
    private static final long[] BOUNDS_MS = {1, 5, 10, 20};

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int threads = Runtime.getRuntime().availableProcessors();
        long[][] gaps = new long[threads][BOUNDS_MS.length];
        long[] lost = new long[threads];
        long[] longest = new long[threads];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> spinners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long last = System.nanoTime();
                while (last < end) {
                    long now = System.nanoTime();
                    long gap = now - last;
                    last = now;
                    if (gap >= 1_000_000L) {
                        lost[me] += gap;
                        longest[me] = Math.max(longest[me], gap);
                        for (int b = 0; b < BOUNDS_MS.length; b++) {
                            if (gap >= BOUNDS_MS[b] * 1_000_000L) {
                                gaps[me][b]++;
                            }
                        }
                    }
                }
            }, "spinner-" + t);
            th.start();
            spinners.add(th);
        }
        start.countDown();
        for (Thread th : spinners) {
            th.join();
        }
        StringBuilder counts = new StringBuilder();
        for (int b = 0; b < BOUNDS_MS.length; b++) {
            long n = 0;
            for (long[] g : gaps) {
                n += g[b];
            }
            counts.append(b == 0 ? "" : ", ").append(String.format("%.1f ≥ %d ms", n / (seconds * threads), BOUNDS_MS[b]));
        }
        long lostAll = 0;
        long max = 0;
        for (int t = 0; t < threads; t++) {
            lostAll += lost[t];
            max = Math.max(max, longest[t]);
        }
        System.out.printf("machine noise (%d threads spinning %.0f s, the stack not running): per thread and second %s;"
                        + " %.1f %% of the time not running, longest gap %.1f ms%n", threads, seconds, counts,
                100.0 * lostAll / (seconds * 1e9 * threads), max / 1e6);
        System.out.printf("machine speed (one thread, the stack not running): %.0f sorts of 100,000 ints a second"
                + " (higher is faster; compare runs with it)%n", sortsPerSecond());
    }

    private static double sortsPerSecond() {
        int[] data = new int[100_000];
        long x = 42;
        for (int i = 0; i < data.length; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            data[i] = (int) (x >>> 33);
        }
        sortFor(data, 500_000_000L); // warm-up: compiled by the time it is measured
        long start = System.nanoTime();
        long sorts = sortFor(data, 1_000_000_000L);
        return sorts / ((System.nanoTime() - start) / 1e9);
    }

    private static long sortFor(int[] data, long nanos) {
        long end = System.nanoTime() + nanos;
        long sorts = 0;
        int check = 0;
        while (System.nanoTime() < end) {
            int[] copy = data.clone();
            java.util.Arrays.sort(copy);
            check += copy[(int) (sorts++ % copy.length)];
        }
        if (check == 42) {
            System.out.print(""); // keeps the sorts from being optimised away
        }
        return sorts;
    }

    private MachineNoise() {
    }
}
