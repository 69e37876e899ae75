package io.callstream.contracts.agent;

/**
 * A skill group was created, changed or removed ({@code removed}); {@code afterCallWorkSeconds} is
 * absent when the global default applies. Membership travels in {@link AgentProfileChanged}.
 */
public record SkillGroupChanged(String skillGroupId, String name, int receptionLimit,
                                Integer afterCallWorkSeconds, boolean removed) implements AgentEvent {
    public static final String TYPE = "io.callstream.agent.skill-group-changed";
}
