package io.callstream.agent.service;

/**
 * A search for agents; absent parts do not filter. Staff number and phone match exactly, email exactly
 * but ignoring case, name where it contains the text (ignoring case), skillGroup agents who are members.
 */
public record AgentQuery(String staffNumber, String name, String email, String phone, String skillGroup) {
}
