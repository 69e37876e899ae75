package io.callstream.ivr.rest;

import io.callstream.ivr.flow.FlowDocument;
import io.callstream.ivr.flow.FlowKind;
import io.callstream.ivr.rest.FlowViews.FlowView;
import io.callstream.ivr.rest.FlowViews.RollbackRequest;
import io.callstream.ivr.rest.FlowViews.ValidationReport;
import io.callstream.ivr.rest.FlowViews.VersionView;
import io.callstream.ivr.service.FlowService;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;

/** IVR flows: admins write, qa reads. */
@Path("/api/v1/flows")
@Tag(name = "Flows")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FlowResource {
    private final FlowService flows;
    private final JsonWebToken token;

    FlowResource(FlowService flows, JsonWebToken token) {
        this.flows = flows;
        this.token = token;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a flow (its draft); refused with every error, each naming its node and field, when invalid")
    public Response create(FlowDocument document, @jakarta.ws.rs.core.Context UriInfo uri) {
        return created(document, uri);
    }

    @POST
    @Path("/import")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a flow from an exported document (same rules as create)")
    public Response importFlow(FlowDocument document, @jakarta.ws.rs.core.Context UriInfo uri) {
        return created(document, uri);
    }

    private Response created(FlowDocument document, UriInfo uri) {
        FlowView created = FlowView.of(flows.create(document), true);
        return Response.created(uri.getBaseUriBuilder().path("api/v1/flows").path(created.id().toString()).build())
                .entity(created).build();
    }

    @POST
    @Path("/validate")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Validate a flow document without saving it")
    public ValidationReport validate(FlowDocument document) {
        return ValidationReport.of(flows.validate(document));
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "List flows by name, optionally of one kind")
    public Page<FlowView> list(@QueryParam("kind") FlowKind kind, @QueryParam("page") @DefaultValue("0") int page,
                               @QueryParam("size") @DefaultValue("50") int size) {
        Page.checkRequest(page, size);
        List<FlowView> items = flows.list(kind, page, size).stream().map(f -> FlowView.of(f, false)).toList();
        return new Page<>(items, page, size, flows.count(kind));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "A flow with its draft")
    public FlowView get(@PathParam("id") UUID id) {
        return flows.get(id).map(f -> FlowView.of(f, true))
                .orElseThrow(() -> ProblemException.notFound("no flow " + id));
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace a flow's draft; the live version changes only when published")
    public FlowView update(@PathParam("id") UUID id, FlowDocument document) {
        return FlowView.of(flows.update(id, document), true);
    }

    @DELETE
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD) // no body
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a flow; refused while numbers are bound to it")
    public Response delete(@PathParam("id") UUID id) {
        flows.delete(id);
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/export")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "The flow's draft as a document to import elsewhere")
    public Response export(@PathParam("id") UUID id) {
        FlowView flow = get(id);
        return Response.ok(flow.draft())
                .header("Content-Disposition", "attachment; filename=\"" + flow.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".json\"")
                .build();
    }

    @POST
    @Path("/{id}/versions")
    @Consumes(MediaType.WILDCARD) // no body
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Publish the draft as the next version; new calls start with it")
    public Response publish(@PathParam("id") UUID id) {
        var v = flows.publish(id, token.getSubject());
        return Response.status(201).entity(VersionView.of(v, v.version, false)).build();
    }

    @GET
    @Path("/{id}/versions")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Published versions, newest first")
    public List<VersionView> versions(@PathParam("id") UUID id) {
        Integer active = flows.get(id).map(f -> f.activeVersion).orElse(null);
        return flows.versions(id).stream().map(v -> VersionView.of(v, active, false)).toList();
    }

    @GET
    @Path("/{id}/versions/{version}")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "One published version with its definition")
    public VersionView version(@PathParam("id") UUID id, @PathParam("version") int version) {
        Integer active = flows.get(id).map(f -> f.activeVersion).orElse(null);
        return VersionView.of(flows.version(id, version), active, true);
    }

    @POST
    @Path("/{id}/rollback")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Make an earlier published version the one new calls start with")
    public FlowView rollback(@PathParam("id") UUID id, RollbackRequest request) {
        if (request == null || request.version() == null) {
            throw ProblemException.invalid("version", "required");
        }
        return FlowView.of(flows.rollback(id, request.version()), false);
    }
}
