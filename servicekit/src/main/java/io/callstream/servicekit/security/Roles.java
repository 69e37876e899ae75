package io.callstream.servicekit.security;

/** The roles a bearer token may carry in its {@code groups} claim. */
public final class Roles {
    public static final String ADMIN = "admin";
    public static final String QA = "qa";
    public static final String AGENT = "agent";
    /** Business systems calling the APIs (outbound tasks, look-ups). */
    public static final String INTEGRATION = "integration";

    private Roles() {
    }
}
