package io.callstream.servicekit.rest;

import io.callstream.servicekit.problem.ProblemException;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query parameters every service reads the same way, bad values refused as problem+json naming the parameter. */
public final class QueryParams {

    /** An ISO-8601 instant ({@code 2026-11-24T09:00:00Z}); {@code absent} when the parameter is missing or blank. */
    public static Instant instant(String name, String value, Instant absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(name, "'" + value + "' is not an ISO-8601 instant such as 2026-11-24T09:00:00Z");
        }
    }

    private QueryParams() {
    }
}
