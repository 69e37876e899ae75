package io.callstream.contracts.agent;

/**
 * Data of an event on {@code callstream.agent.events}. The Kafka key is the agent id, except for
 * {@link SkillGroupChanged}, keyed by the skill group id (a group's changes stay in order).
 */
public interface AgentEvent {
}
