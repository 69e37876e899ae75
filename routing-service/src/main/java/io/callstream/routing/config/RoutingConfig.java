package io.callstream.routing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** routing-service's own settings ({@code callstream.routing.*}); docs/configuration.md lists them. */
@ConfigMapping(prefix = "callstream.routing")
public interface RoutingConfig {
    /** {@code callstream.routing.ring-timeout}: how long an agent's phone rings before the call goes to the next agent. */
    @WithDefault("20s")
    Duration ringTimeout();

    /**
     * {@code callstream.routing.offer-grace}: how long past the ring timeout an offer waits for the
     * gateway's answer (connected or dial failed) before it is given up as failed — the agent released,
     * the caller offered the next one. Only a gateway lost mid-offer needs it.
     */
    @WithDefault("30s")
    Duration offerGrace();

    /** {@code callstream.routing.queue-tick}: how often queue timeouts and given-up offers are looked for. */
    @WithDefault("500ms")
    Duration queueTick();

    /**
     * {@code callstream.routing.position-tick}: how often the waiting callers' new positions are
     * published (after the dequeues, transfers and hang-ups that moved them; many coalesce into one pass).
     */
    @WithDefault("200ms")
    Duration positionTick();

    /**
     * {@code callstream.routing.consumer-threads}: consumer threads reading call and agent events (6
     * partitions in all). One by default: its polls bring more events, which then share fewer transactions
     * (routing's {@code callstream.consumer.batch-size} is 20), and there is one consumer fewer to fetch for.
     * At 200 transfers/s that took routing, the broker and PostgreSQL from 1.6 to 1.4-1.5 cores, and the
     * transfers' p99 with them (docs/benchmarks.md, fifteenth session). More threads apply more at once,
     * for rates one thread cannot keep up with.
     */
    @WithDefault("1")
    int consumerThreads();

    /**
     * {@code callstream.routing.transfer-threads}: consumer threads of their own reading the IVR events
     * (3 partitions) for transfer requests, so that a caller's request never waits behind the call ends
     * and agent states the other threads apply (nor behind one of them held by a lock). One a partition:
     * with two, one thread took two partitions' transfers and they queued behind each other
     * (docs/benchmarks.md).
     */
    @WithDefault("3")
    int transferThreads();

    /**
     * {@code callstream.routing.queue-entry-retention}: how long an ended call's queue entry is kept after it
     * was queued — for the statistics ({@code since} further back counts only the entries kept), the estimates'
     * recent talk times, and "queued before" against a transfer request redelivered late (as long as the
     * processed event ids, {@code callstream.consumer.processed-retention}). Older ones are deleted every minute,
     * 1,000 a transaction: kept for ever, at 200 transfers a second the table grew by 17 million rows a day.
     */
    @WithDefault("7d")
    Duration queueEntryRetention();

    /** The queue statistics as Prometheus gauges on {@code /q/metrics}. */
    Metrics metrics();

    interface Metrics {
        /**
         * {@code callstream.routing.metrics.max-age}: a scrape older than this after the last one reads the
         * database again (three queries for all groups); scrapes in between read the same snapshot.
         */
        @WithDefault("5s")
        Duration maxAge();

        /** {@code callstream.routing.metrics.service-level}: the service level gauge counts calls answered within this. */
        @WithDefault("20s")
        Duration serviceLevel();
    }
}
