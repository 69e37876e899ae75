package io.callstream.servicekit.security;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Who the bearer token says the caller is: lets a client check its token against any service. */
@Path("/api/v1/me")
@Tag(name = "Identity")
public class CallerResource {
    public record Caller(String subject, List<String> roles, String issuer, Instant expiresAt) {
    }

    private final JsonWebToken token;

    CallerResource(JsonWebToken token) {
        this.token = token;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.AGENT, Roles.INTEGRATION})
    @Operation(summary = "The caller's identity and roles, from the bearer token")
    public Caller me() {
        Set<String> groups = token.getGroups();
        return new Caller(token.getSubject(), groups.stream().sorted().toList(), token.getIssuer(),
                Instant.ofEpochSecond(token.getExpirationTime()));
    }
}
