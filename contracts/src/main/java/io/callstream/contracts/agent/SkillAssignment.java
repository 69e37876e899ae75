package io.callstream.contracts.agent;

/** An agent's membership of a skill group: priority 1 is offered calls first, 5 last. */
public record SkillAssignment(String skillGroupId, int priority) {
}
