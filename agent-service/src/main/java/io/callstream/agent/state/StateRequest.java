package io.callstream.agent.state;

/**
 * What an agent asks for: {@code state} READY, NOT_READY (with a {@code reason}) or OFFLINE; with
 * {@code afterCall} it takes effect when the current call ends.
 */
public record StateRequest(String state, String reason, Boolean afterCall) {
}
