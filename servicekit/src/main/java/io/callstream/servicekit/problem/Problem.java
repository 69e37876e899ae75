package io.callstream.servicekit.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An RFC 9457 problem detail, the body of every error response: {@code errors} names each field (a
 * JSON path such as {@code callees[3].number}) or node at fault.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
                      List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /** One thing at fault: a field (a JSON path), and for a flow the node it belongs to. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldError(String field, String message, String node) {
        public FieldError(String field, String message) {
            this(field, message, null);
        }
    }
}
