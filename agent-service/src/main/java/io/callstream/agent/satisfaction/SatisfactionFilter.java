package io.callstream.agent.satisfaction;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which satisfaction records a search or a summary covers; a null member does not filter. Times: [from, to). */
public record SatisfactionFilter(String agentId, String skillGroup, Instant from, Instant to) {

    /** The SQL condition on {@code satisfaction_record s} ("" for everything), its parameters put in {@code params}. */
    String where(Map<String, Object> params) {
        List<String> terms = new ArrayList<>();
        if (agentId != null) {
            terms.add("s.agent_id = :agentId");
            params.put("agentId", agentId);
        }
        if (skillGroup != null) {
            terms.add("s.skill_group_id = :skillGroup");
            params.put("skillGroup", skillGroup);
        }
        if (from != null) {
            terms.add("s.collected_at >= :from");
            params.put("from", OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
        }
        if (to != null) {
            terms.add("s.collected_at < :to");
            params.put("to", OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }
}
