package io.callstream.agent.rest;

/** The body of a membership PUT: the agent's priority in the group, 1 (highest) to 5 (lowest); absent: 3. */
public record PriorityRequest(Integer priority) {
}
