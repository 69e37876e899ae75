package io.callstream.outbound.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** outbound-service's own settings ({@code callstream.outbound.*}); docs/configuration.md lists them. */
@ConfigMapping(prefix = "callstream.outbound")
public interface OutboundConfig {
    /** {@code callstream.outbound.dial-tick}: how often the dialer looks at running tasks and dials what their pace allows. */
    @WithDefault("50ms")
    Duration dialTick();

    /** {@code callstream.outbound.max-tries}: the most tries per callee a task may ask for (TCCC allows 1 to 3). */
    @WithDefault("3")
    int maxTries();

    /** {@code callstream.outbound.min-retry-interval}: the shortest retry interval a task may ask for. */
    @WithDefault("60s")
    Duration minRetryInterval();

    /** {@code callstream.outbound.max-calls-per-second}: the highest rate a task may ask for. */
    @WithDefault("100")
    double maxCallsPerSecond();

    /** {@code callstream.outbound.max-concurrent-calls}: the most calls in progress a task may ask for. */
    @WithDefault("1000")
    int maxConcurrentCalls();

    /** {@code callstream.outbound.max-ring-time}: the longest ring time a task may ask for. */
    @WithDefault("120s")
    Duration maxRingTime();

    /** {@code callstream.outbound.max-inline-callees}: callees a task may carry in its creation request. */
    @WithDefault("10000")
    int maxInlineCallees();

    /** {@code callstream.outbound.max-callees}: callees one task may have in all (inline and uploaded). */
    @WithDefault("1000000")
    long maxCallees();

    /** {@code callstream.outbound.max-upload-bytes}: the largest callee upload (CSV or NDJSON) accepted. */
    @WithDefault("512M")
    io.quarkus.runtime.configuration.MemorySize maxUploadBytes();

    /**
     * {@code callstream.outbound.originate-grace}: how long past its ring time an originate waits for the
     * gateway's answer (answered or failed) before the attempt is given up as FAILED — only a gateway lost
     * mid-originate needs it. A starting process also gives every open attempt this long, so the events
     * that waited on Kafka while it was down are read before the expiry decides.
     */
    @WithDefault("30s")
    Duration originateGrace();

    /**
     * {@code callstream.outbound.session-grace}: how long after an answered call ends its attempt waits for
     * the IVR session's result (keys, variables) before it is finished without them.
     */
    @WithDefault("10s")
    Duration sessionGrace();

    /** {@code callstream.outbound.max-call-time}: an answered call not reported ended after this is finished as lost. */
    @WithDefault("2h")
    Duration maxCallTime();

    /** {@code callstream.outbound.consumer-threads}: threads reading call and IVR events. */
    @WithDefault("2")
    int consumerThreads();
}
