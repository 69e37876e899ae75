package io.callstream.agent.satisfaction;

import java.util.Map;

/**
 * One line of a satisfaction report: an agent (with its staff number and name when agent-service knows
 * it) or a skill group, the surveys of its calls, those answered with a key, those left without one,
 * the answered ones whose label counts as satisfied, their share of the answered ones in percent (one
 * decimal; null when none was answered), and the answered ones per label.
 */
public record SatisfactionSummary(String agentId, String staffNumber, String name, String skillGroup, long count,
                                  long answered, long noInput, long satisfied, Double satisfiedPercent,
                                  Map<String, Long> byLabel) {
}
