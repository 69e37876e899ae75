package io.callstream.contracts.agent;

/** What a person may do: admins manage, QA reads and reviews, agents take calls. */
public enum AgentRole {
    ADMIN,
    QA,
    AGENT
}
