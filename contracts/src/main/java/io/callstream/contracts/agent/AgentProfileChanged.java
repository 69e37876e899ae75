package io.callstream.contracts.agent;

import java.util.List;

/**
 * An agent was created, changed (profile or skill groups) or removed ({@code removed}): the whole
 * profile every time, so a consumer keeps the latest.
 */
public record AgentProfileChanged(String agentId, String staffNumber, String name, String nickname,
                                  String extension, String endpoint, AgentRole role,
                                  List<SkillAssignment> skills, boolean removed) implements AgentEvent {
    public static final String TYPE = "io.callstream.agent.profile-changed";
}
