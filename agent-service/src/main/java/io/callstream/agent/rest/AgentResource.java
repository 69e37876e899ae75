package io.callstream.agent.rest;

import io.callstream.agent.service.AgentProfile;
import io.callstream.agent.service.AgentQuery;
import io.callstream.agent.service.AgentRecord;
import io.callstream.agent.service.Agents;
import io.callstream.agent.service.CallerAgent;
import io.callstream.agent.service.Listing;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.Page;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/** Agents: admins manage them, qa reads them, an agent reads only itself. */
@Path("/api/v1/agents")
@Tag(name = "Agents")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {
    private final Agents agents;
    private final CallerAgent caller;

    AgentResource(Agents agents, CallerAgent caller) {
        this.agents = agents;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create an agent (OFFLINE); 400 names each bad field, 409 a staff number, email or extension"
            + " another agent has")
    public Response create(AgentProfile profile, @Context UriInfo uri) {
        AgentView created = AgentView.of(agents.create(profile));
        return Response.created(uri.getBaseUriBuilder().path("api/v1/agents").path(created.id().toString()).build())
                .entity(created).build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.AGENT})
    @Operation(summary = "An agent with its skill groups and state (an agent reads only itself)")
    public AgentView get(@PathParam("id") String id) {
        AgentRecord r = agents.get(agentId(id)).orElseThrow(() -> ProblemException.notFound("no agent " + id));
        caller.requireReaderOrSelf(r.agent());
        return AgentView.of(r);
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace an agent's profile, skill groups included (absent skills: none)")
    public AgentView replace(@PathParam("id") String id, AgentProfile profile) {
        return agents.replace(agentId(id), profile).map(AgentView::of)
                .orElseThrow(() -> ProblemException.notFound("no agent " + id));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete an agent; refused (409) while it is on a call (RINGING or BUSY)")
    public Response delete(@PathParam("id") String id) {
        if (!agents.delete(agentId(id))) {
            throw ProblemException.notFound("no agent " + id);
        }
        return Response.noContent().build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Search agents by staff number, phone or email (exact; email ignoring case), name (contains,"
            + " ignoring case) or skill group membership; sorted by staff number, paged")
    public Page<AgentView> search(@QueryParam("staffNumber") String staffNumber, @QueryParam("name") String name,
                                  @QueryParam("email") String email, @QueryParam("phone") String phone,
                                  @QueryParam("skillGroup") String skillGroup,
                                  @QueryParam("page") @DefaultValue("0") int page,
                                  @QueryParam("size") @DefaultValue("50") int size) {
        Page.checkRequest(page, size);
        Listing<AgentRecord> found = agents.search(new AgentQuery(staffNumber, name, email, phone, skillGroup), page, size);
        return new Page<>(found.items().stream().map(AgentView::of).toList(), page, size, found.total());
    }

    static UUID agentId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no agent " + value);
        }
    }
}
