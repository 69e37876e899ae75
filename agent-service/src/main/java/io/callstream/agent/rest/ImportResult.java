package io.callstream.agent.rest;

/** How many agents a bulk import created. */
public record ImportResult(int imported) {
}
