package io.callstream.routing.agents;

import io.callstream.servicekit.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.Map;

/** An admin asks for routing's view of agents to be rebuilt from agent-service ({@link AgentViewRequests}). */
@Path("/api/v1/agent-view")
@Tag(name = "Agent view")
@Produces(MediaType.APPLICATION_JSON)
public class AgentViewResource {
    private final AgentViewRequests requests;
    private final SecurityIdentity identity;

    AgentViewResource(AgentViewRequests requests, SecurityIdentity identity) {
        this.requests = requests;
        this.identity = identity;
    }

    @POST
    @Path("/refresh")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Ask agent-service to publish every skill group, agent profile and agent state again (a resync of routing's view); 202")
    public Response refresh() {
        String by = identity.getPrincipal().getName();
        Instant at = requests.request(by);
        return Response.accepted(Map.of("requestedBy", by, "requestedAt", at.toString())).build();
    }
}
