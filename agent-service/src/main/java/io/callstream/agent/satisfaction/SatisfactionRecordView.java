package io.callstream.agent.satisfaction;

import java.time.Instant;

/**
 * A satisfaction record as REST answers it, joined with the agent it names: {@code staffNumber} and
 * {@code name} are null when agent-service does not know the agent (deleted, or not an agent id).
 * {@code key} and {@code label} are null when the caller left the survey without pressing a key.
 */
public record SatisfactionRecordView(String callId, String sessionId, String agentId, String staffNumber, String name,
                                     String skillGroup, String key, String label, boolean noInput,
                                     Instant collectedAt) {
}
