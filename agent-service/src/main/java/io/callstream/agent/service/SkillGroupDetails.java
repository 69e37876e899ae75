package io.callstream.agent.service;

/**
 * A skill group as an admin writes it. {@code id} is chosen at creation (derived from the name when
 * absent) and never changes; {@code receptionLimit} defaults to 1; a null {@code afterCallWorkSeconds}
 * means the global default.
 */
public record SkillGroupDetails(String id, String name, Integer receptionLimit, Integer afterCallWorkSeconds) {
}
