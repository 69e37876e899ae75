package io.callstream.pbx;

import java.time.Duration;

/**
 * How much load to generate: calls start at {@code callsPerSecond} for {@code duration}, never more
 * than {@code concurrency} at once and never more than {@code maxCalls} in all; afterwards the
 * generator waits up to {@code drainTimeout} for the calls to end and hangs up the rest.
 */
public record LoadProfile(int concurrency, double callsPerSecond, Duration duration, int maxCalls, Duration drainTimeout) {
    public LoadProfile {
        if (concurrency < 1 || callsPerSecond <= 0 || maxCalls < 1) {
            throw new IllegalArgumentException("concurrency, callsPerSecond and maxCalls must be positive");
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive");
        }
        drainTimeout = drainTimeout == null ? Duration.ofSeconds(60) : drainTimeout;
    }
}
