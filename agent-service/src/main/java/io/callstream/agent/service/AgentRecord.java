package io.callstream.agent.service;

import io.callstream.agent.domain.Agent;
import io.callstream.agent.domain.AgentStatus;

import java.util.List;

/**
 * An agent with what its views show: its endpoint, its skill groups (with their names) and where it
 * is now ({@code status} is null only for an agent without a state row).
 */
public record AgentRecord(Agent agent, String endpoint, List<Membership> skills, AgentStatus status) {

    /** One skill group of the agent, with the group's name and the agent's priority there. */
    public record Membership(String skillGroupId, String groupName, int priority) {
    }
}
