package io.callstream.agent.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.callstream.agent.service.SkillGroups;
import io.callstream.contracts.agent.AgentRole;

import java.util.UUID;

/** A member of a skill group: who, its priority in the group (1 highest … 5 lowest), and its state now. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MemberView(UUID agentId, String staffNumber, String name, String nickname, String extension,
                         String endpoint, AgentRole role, int priority, AgentView.StateSummary state) {
    static MemberView of(SkillGroups.MemberRecord m) {
        var a = m.agent();
        return new MemberView(a.id, a.staffNumber, a.name, a.nickname, a.extension, m.endpoint(), a.role, m.priority(),
                AgentView.StateSummary.of(m.status()));
    }
}
