package io.callstream.servicekit.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.callstream.contracts.Json;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Every error a service returns is {@code application/problem+json}: bad input names its field, and
 * nothing internal (class names, stack traces, SQL) ever reaches the client.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(e.status(), e.slug(), e.getMessage(), uri, e.errors());
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        return respond(400, "validation", detail, uri, errors);
    }

    @ServerExceptionMapper
    public Response unknownProperty(UnrecognizedPropertyException e, UriInfo uri) {
        String field = pathOf(e);
        return invalid(field, "unknown field", uri);
    }

    @ServerExceptionMapper
    public Response invalidValue(InvalidFormatException e, UriInfo uri) {
        String field = pathOf(e);
        Class<?> target = e.getTargetType();
        if (target != null && target.isEnum()) {
            String allowed = Arrays.stream(target.getEnumConstants()).map(String::valueOf)
                    .collect(Collectors.joining(", "));
            return invalid(field, "'" + e.getValue() + "' is not one of " + allowed, uri);
        }
        return invalid(field, "'" + e.getValue() + "' is not a valid " + simpleType(target), uri);
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        String field = pathOf(e);
        if (field.isEmpty()) {
            return respond(400, "malformed-body", "the request body must be a JSON " + simpleType(e.getTargetType()),
                    uri, List.of());
        }
        return invalid(field, "expected " + simpleType(e.getTargetType()), uri);
    }

    @ServerExceptionMapper
    public Response badValue(ValueInstantiationException e, UriInfo uri) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        return invalid(pathOf(e), cause.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e, UriInfo uri) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
        return respond(400, "malformed-body", "the request body is not valid JSON" + where, uri, List.of());
    }

    @ServerExceptionMapper
    public Response otherJson(JsonProcessingException e, UriInfo uri) {
        String field = e instanceof JsonMappingException m ? pathOf(m) : "";
        return field.isEmpty()
                ? respond(400, "malformed-body", "the request body cannot be read", uri, List.of())
                : invalid(field, "cannot be read", uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper
    public Response authenticationCompletion(AuthenticationCompletionException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(403, "forbidden", "your role may not do this", uri, List.of());
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e, UriInfo uri, HttpHeaders headers) {
        String sent = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return respond(415, "unsupported-media-type", "Content-Type " + (sent == null ? "(none)" : sent)
                + " is not accepted here; send application/json", uri, List.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonParseException parse) {
            return malformedJson(parse, uri);
        }
        if (e.getCause() instanceof MismatchedInputException mismatch) {
            return mismatchedInput(mismatch, uri);
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            return otherJson(json, uri);
        }
        if (status >= 500) {
            return internal(e, uri);
        }
        String detail = switch (status) {
            case 404 -> "nothing at " + uri.getPath();
            case 405 -> "this method is not allowed on " + uri.getPath();
            case 406 -> "this resource answers application/json";
            case 413 -> "the request body is too large";
            default -> Response.Status.fromStatusCode(status) == null ? "request refused"
                    : Response.Status.fromStatusCode(status).getReasonPhrase();
        };
        return respond(status, slugOf(status), detail, uri, List.of());
    }

    @ServerExceptionMapper
    public Response internal(Throwable e, UriInfo uri) {
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error %s on %s", reference, uri.getPath());
        return respond(500, "internal", "the request failed on our side; reference " + reference, uri, List.of());
    }

    private Response unauthenticated(UriInfo uri) {
        Response r = respond(401, "unauthorized", "a valid bearer token is required", uri, List.of());
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private Response invalid(String field, String message, UriInfo uri) {
        String name = field.isEmpty() ? "body" : field;
        return respond(400, "validation", name + ": " + message, uri, List.of(new Problem.FieldError(name, message)));
    }

    public static Response respond(int status, String slug, String detail, UriInfo uri, List<Problem.FieldError> errors) {
        Response.Status s = Response.Status.fromStatusCode(status);
        Problem p = new Problem("urn:problem-type:callstream:" + slug, s == null ? "Error" : s.getReasonPhrase(), status,
                detail, uri == null ? null : uri.getPath(), errors == null || errors.isEmpty() ? null : errors);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(new String(Json.write(p),
                java.nio.charset.StandardCharsets.UTF_8)).build();
    }

    private static String slugOf(int status) {
        return switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "payload-too-large";
            default -> "http-" + status;
        };
    }

    /** {@code callees[3].number} from Jackson's reference chain. */
    static String pathOf(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** The bean property path without the method and parameter that carried it: {@code name}, {@code items[0].id}. */
    static String fieldOf(ConstraintViolation<?> v) {
        StringBuilder b = new StringBuilder();
        for (Path.Node n : v.getPropertyPath()) {
            if (n.getKind() == ElementKind.METHOD || n.getKind() == ElementKind.PARAMETER
                    || n.getKind() == ElementKind.RETURN_VALUE) {
                continue;
            }
            if (n.getIndex() != null) {
                b.append('[').append(n.getIndex()).append(']');
            } else if (n.getKey() != null) {
                b.append('[').append(n.getKey()).append(']');
            }
            if (n.getName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(n.getName());
            }
        }
        return b.isEmpty() ? "body" : b.toString();
    }

    private static String simpleType(Class<?> c) {
        if (c == null) {
            return "value";
        }
        if (Number.class.isAssignableFrom(c) || c == int.class || c == long.class || c == double.class) {
            return "number";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "boolean";
        }
        if (c == String.class) {
            return "string";
        }
        if (c.isArray() || java.util.Collection.class.isAssignableFrom(c)) {
            return "array";
        }
        return "object";
    }
}
