package io.callstream.servicekit.problem;

import java.util.List;

/**
 * What a service throws to answer with a problem: a status, a sentence for the user, and the fields
 * at fault. Rendered by {@link ProblemMappers}; the transaction it crosses rolls back.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String slug;
    private final List<Problem.FieldError> errors;

    public ProblemException(int status, String slug, String detail, List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static ProblemException invalid(String field, String message) {
        return new ProblemException(400, "validation", field + ": " + message,
                List.of(new Problem.FieldError(field, message)));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", detail, null);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", detail, null);
    }

    public static ProblemException conflict(String field, String detail) {
        return new ProblemException(409, "conflict", detail, List.of(new Problem.FieldError(field, detail)));
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
