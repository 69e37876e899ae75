package io.callstream.agent.service;

import org.postgresql.util.PSQLException;

import java.sql.SQLException;
import java.util.Optional;

/**
 * The unique index a failed write ran into. The services check uniqueness before writing, so this only
 * happens when two requests race for the same value; the loser gets a 409 rather than a 500.
 */
final class UniqueViolation {
    private static final String UNIQUE_VIOLATION = "23505";

    private UniqueViolation() {
    }

    /** The constraint (index) name, if {@code e} or one of its causes is a unique violation. */
    static Optional<String> constraintOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (UNIQUE_VIOLATION.equals(s.getSQLState())) {
                        String name = s instanceof PSQLException p && p.getServerErrorMessage() != null
                                ? p.getServerErrorMessage().getConstraint() : null;
                        return Optional.of(name == null ? "" : name);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
