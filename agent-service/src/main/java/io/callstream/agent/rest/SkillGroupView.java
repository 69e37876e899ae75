package io.callstream.agent.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.callstream.agent.service.SkillGroups;

import java.time.Instant;

/** A skill group as the API shows it, with how many agents serve it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SkillGroupView(String id, String name, int receptionLimit, Integer afterCallWorkSeconds, long memberCount,
                             Instant createdAt, Instant updatedAt) {
    static SkillGroupView of(SkillGroups.GroupRecord r) {
        var g = r.group();
        return new SkillGroupView(g.id, g.name, g.receptionLimit, g.afterCallWorkSeconds, r.memberCount(), g.createdAt,
                g.updatedAt);
    }
}
