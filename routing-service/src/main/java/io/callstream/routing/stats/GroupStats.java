package io.callstream.routing.stats;

import java.time.Instant;
import java.util.Map;

/**
 * One skill group now, and over the calls that entered its queue since {@code since}: waiting calls
 * and the longest wait; agents by state (routing's view); calls offered to the queue, answered,
 * abandoned, timed out, refused; the average wait of answered calls; the service level — answered
 * within {@code serviceLevelSeconds} out of those answered or gone from the queue (refusals not counted).
 */
public record GroupStats(String skillGroup, long waiting, long longestWaitSeconds, Map<String, Long> agentsByState,
                         Instant since, long offered, long answered, long abandoned, long timedOut, long refused,
                         Double averageWaitSeconds, int serviceLevelSeconds, Double serviceLevelPercent) {
}
