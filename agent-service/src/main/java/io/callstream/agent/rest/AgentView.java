package io.callstream.agent.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.callstream.agent.domain.AgentStatus;
import io.callstream.agent.service.AgentRecord;
import io.callstream.contracts.agent.AgentRole;
import io.callstream.contracts.agent.AgentState;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An agent as the API shows it: the profile, the endpoint routing rings, skill groups, and the state now. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentView(UUID id, String staffNumber, String name, String nickname, String email, String phone,
                        String extension, String endpoint, AgentRole role, List<SkillView> skills, StateSummary state,
                        Instant createdAt, Instant updatedAt) {

    /** A skill group the agent serves: its id and name, and the agent's priority there (1 highest … 5 lowest). */
    public record SkillView(String skillGroupId, String name, int priority) {
    }

    /** Where the agent is now; {@code GET /api/v1/agents/{id}/state} has the whole of it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StateSummary(AgentState state, String reason, Instant since) {
        static StateSummary of(AgentStatus s) {
            return s == null ? null : new StateSummary(s.state, s.reason, s.since);
        }
    }

    static AgentView of(AgentRecord r) {
        var a = r.agent();
        return new AgentView(a.id, a.staffNumber, a.name, a.nickname, a.email, a.phone, a.extension, r.endpoint(), a.role,
                r.skills().stream().map(s -> new SkillView(s.skillGroupId(), s.groupName(), s.priority())).toList(),
                StateSummary.of(r.status()), a.createdAt, a.updatedAt);
    }
}
