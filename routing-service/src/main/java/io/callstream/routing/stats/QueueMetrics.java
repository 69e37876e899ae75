package io.callstream.routing.stats;

import io.callstream.routing.config.RoutingConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The queue statistics as Prometheus gauges per skill group (tag {@code skill_group}), today's counts
 * since 00:00 UTC. They come from the database all replicas share, so every replica reports the same
 * values: aggregate replicas with {@code max}, never {@code sum}.
 *
 * <p>Gauges read one snapshot of all groups; a scrape finding it older than
 * {@code callstream.routing.metrics.max-age} takes a new one first (three queries, whatever the number of
 * groups). Groups that appear get their gauges then, so they show from the next scrape on; groups gone
 * from the database lose theirs.
 */
@ApplicationScoped
public class QueueMetrics {
    private static final Logger LOG = Logger.getLogger(QueueMetrics.class);
    private static final String SHARED = " (from the shared database: every replica reports the same)";

    private record Snapshot(Map<String, GroupStats> groups, long takenAt, long triedAt) {
    }

    private final QueueStatistics statistics;
    private final MeterRegistry registry;
    private final long maxAgeNanos;
    private final int serviceLevelSeconds;
    private final Map<String, List<Meter>> meters = new HashMap<>();   // guarded by this
    private volatile Snapshot snapshot;

    QueueMetrics(QueueStatistics statistics, MeterRegistry registry, RoutingConfig config) {
        this.statistics = statistics;
        this.registry = registry;
        this.maxAgeNanos = config.metrics().maxAge().toNanos();
        this.serviceLevelSeconds = (int) Math.max(1, config.metrics().serviceLevel().toSeconds());
    }

    void start(@Observes StartupEvent ignored) {
        // the one gauge there before any group: a scrape reading it takes the first snapshot
        Gauge.builder("callstream.routing.queue.stats.age", this, QueueMetrics::ageSeconds).baseUnit("seconds")
                .description("age of the snapshot the queue gauges show; grows while the database cannot be read")
                .strongReference(true).register(registry);
    }

    private double ageSeconds() {
        current();
        Snapshot s = snapshot;
        return s == null || s.takenAt() == 0 ? Double.NaN : (System.nanoTime() - s.takenAt()) / 1e9;
    }

    /** The latest snapshot of all groups, taken again first when it is too old. */
    private Map<String, GroupStats> current() {
        Snapshot s = snapshot;
        if (s != null && System.nanoTime() - s.triedAt() < maxAgeNanos) {
            return s.groups();
        }
        synchronized (this) {
            s = snapshot;
            long now = System.nanoTime();
            if (s != null && now - s.triedAt() < maxAgeNanos) {
                return s.groups();
            }
            try {
                Map<String, GroupStats> groups = new HashMap<>();
                statistics.all(Instant.now().truncatedTo(ChronoUnit.DAYS), serviceLevelSeconds)
                        .forEach(g -> groups.put(g.skillGroup(), g));
                snapshot = new Snapshot(groups, now, now);
                register(groups);
            } catch (RuntimeException e) {
                // keep showing the last snapshot (its age says how old), try again after max-age
                LOG.warnf("queue statistics for the metrics could not be read: %s", e.toString());
                snapshot = s == null ? new Snapshot(Map.of(), 0, now) : new Snapshot(s.groups(), s.takenAt(), now);
            }
            return snapshot.groups();
        }
    }

    private void register(Map<String, GroupStats> groups) {
        for (String g : groups.keySet()) {
            meters.computeIfAbsent(g, this::gauges);
        }
        meters.entrySet().removeIf(e -> {
            if (groups.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
    }

    private List<Meter> gauges(String group) {
        List<Meter> list = new ArrayList<>();
        list.add(gauge("callstream.routing.queue.waiting", group, null, "calls waiting in the queue now", GroupStats::waiting));
        list.add(gauge("callstream.routing.queue.longest.wait", group, "seconds", "how long the longest waiting call has waited",
                GroupStats::longestWaitSeconds));
        for (String state : QueueStatistics.AGENT_STATES) {
            list.add(Gauge.builder("callstream.routing.agents", this, m -> m.value(group, s -> s.agentsByState().get(state)))
                    .tags("skill_group", group, "state", state).strongReference(true)
                    .description("agents of the group by state, as routing last heard from agent-service" + SHARED)
                    .register(registry));
        }
        list.add(gauge("callstream.routing.queue.offered.today", group, null, "calls transferred to the queue today (UTC)",
                GroupStats::offered));
        list.add(gauge("callstream.routing.queue.answered.today", group, null, "calls queued today that an agent answered",
                GroupStats::answered));
        list.add(gauge("callstream.routing.queue.abandoned.today", group, null, "calls queued today whose caller hung up before an agent answered",
                GroupStats::abandoned));
        list.add(gauge("callstream.routing.queue.timed.out.today", group, null, "calls queued today that left at their queue timeout",
                GroupStats::timedOut));
        list.add(gauge("callstream.routing.queue.refused.today", group, null, "transfers refused today: queue full or no agent logged in",
                GroupStats::refused));
        list.add(gauge("callstream.routing.queue.average.wait", group, "seconds", "average wait of the calls queued today and answered (NaN: none)",
                s -> s.averageWaitSeconds() == null ? Double.NaN : s.averageWaitSeconds()));
        list.add(gauge("callstream.routing.queue.service.level", group, "ratio", "calls queued today answered within "
                        + serviceLevelSeconds + " s, of those answered, abandoned or timed out (NaN: none)",
                s -> s.serviceLevelPercent() == null ? Double.NaN : s.serviceLevelPercent() / 100));
        return list;
    }

    private Gauge gauge(String name, String group, String unit, String description, ToDoubleFunction<GroupStats> value) {
        return Gauge.builder(name, this, m -> m.value(group, value)).baseUnit(unit).tag("skill_group", group)
                .description(description + SHARED).strongReference(true).register(registry);
    }

    private double value(String group, ToDoubleFunction<GroupStats> value) {
        GroupStats s = current().get(group);
        return s == null ? Double.NaN : value.applyAsDouble(s);
    }
}
