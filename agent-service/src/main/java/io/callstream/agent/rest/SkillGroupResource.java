package io.callstream.agent.rest;

import io.callstream.agent.service.Listing;
import io.callstream.agent.service.SkillGroupDetails;
import io.callstream.agent.service.SkillGroups;
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

/** Skill groups and their members: admins manage them, qa reads them. */
@Path("/api/v1/skill-groups")
@Tag(name = "Skill groups")
@Produces(MediaType.APPLICATION_JSON)
public class SkillGroupResource {
    private final SkillGroups groups;

    SkillGroupResource(SkillGroups groups) {
        this.groups = groups;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a skill group; its id (what flows and routing name it by) is derived from the name"
            + " when not given, and never changes")
    public Response create(SkillGroupDetails details, @Context UriInfo uri) {
        SkillGroupView created = SkillGroupView.of(groups.create(details));
        return Response.created(uri.getBaseUriBuilder().path("api/v1/skill-groups").path(created.id()).build())
                .entity(created).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Skill groups by name, with their member counts, paged")
    public Page<SkillGroupView> list(@QueryParam("page") @DefaultValue("0") int page,
                                     @QueryParam("size") @DefaultValue("50") int size) {
        Page.checkRequest(page, size);
        Listing<SkillGroups.GroupRecord> found = groups.list(page, size);
        return new Page<>(found.items().stream().map(SkillGroupView::of).toList(), page, size, found.total());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "A skill group with its member count")
    public SkillGroupView get(@PathParam("id") String id) {
        return groups.get(id).map(SkillGroupView::of).orElseThrow(() -> notFound(id));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace a skill group's name, reception limit and after-call work (the id stays)")
    public SkillGroupView replace(@PathParam("id") String id, SkillGroupDetails details) {
        return groups.replace(id, details).map(SkillGroupView::of).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a skill group; refused (409, naming how many) while it has members")
    public Response delete(@PathParam("id") String id) {
        if (!groups.delete(id)) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/members")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "The group's members with their priorities, highest priority first, paged")
    public Page<MemberView> members(@PathParam("id") String id, @QueryParam("page") @DefaultValue("0") int page,
                                    @QueryParam("size") @DefaultValue("50") int size) {
        Page.checkRequest(page, size);
        Listing<SkillGroups.MemberRecord> found = groups.members(id, page, size).orElseThrow(() -> notFound(id));
        return new Page<>(found.items().stream().map(MemberView::of).toList(), page, size, found.total());
    }

    @PUT
    @Path("/{id}/members/{agentId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Add an agent to the group (201) or change its priority there (200); priority 1 (highest)"
            + " to 5 (lowest), absent: 3")
    public Response setMember(@PathParam("id") String id, @PathParam("agentId") String agentId, PriorityRequest request) {
        SkillGroups.MemberChange change = groups.setMember(id, AgentResource.agentId(agentId),
                request == null ? null : request.priority());
        return Response.status(change.added() ? 201 : 200).entity(MemberView.of(change.member())).build();
    }

    @DELETE
    @Path("/{id}/members/{agentId}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Take an agent out of the group")
    public Response removeMember(@PathParam("id") String id, @PathParam("agentId") String agentId) {
        groups.removeMember(id, AgentResource.agentId(agentId));
        return Response.noContent().build();
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("no skill group '" + id + "'");
    }
}
