package io.callstream.agent.service;

import java.util.List;

/**
 * An agent as an admin writes it: the body of create and replace, one object of a JSON import, one
 * row of a CSV import. Everything is text here so that bad values are reported by field, not lost
 * in a parse error; {@link ProfileRules} checks and normalises it.
 */
public record AgentProfile(String staffNumber, String name, String nickname, String email, String phone,
                           String extension, String role, List<Skill> skills) {

    /** A skill group the agent serves and its priority there (1 highest … 5 lowest; absent: 3). */
    public record Skill(String skillGroupId, Integer priority) {
    }
}
