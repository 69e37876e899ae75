package io.callstream.agent.rest;

import io.callstream.agent.mapping.AgentCsv;
import io.callstream.agent.service.AgentImport;
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
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** Agents: admins manage them, qa reads them, an agent reads only itself. */
@Path("/api/v1/agents")
@Tag(name = "Agents")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {
    static final String CSV = "text/csv";
    private static final int EXPORT_BATCH = 500;

    private final Agents agents;
    private final AgentImport imports;
    private final CallerAgent caller;

    AgentResource(Agents agents, AgentImport imports, CallerAgent caller) {
        this.agents = agents;
        this.imports = imports;
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

    @POST
    @Path("/import")
    @Consumes(CSV)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Import agents from CSV (header staffNumber,name,nickname,email,phone,extension,role,skills;"
            + " skills as pre-sales:1;renewals:3), all or nothing: 400 lists every bad row")
    public Response importCsv(InputStream body) {
        return Response.status(201).entity(new ImportResult(imports.importCsv(body))).build();
    }

    @POST
    @Path("/import")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Import agents from a JSON array of agents as for create, all or nothing: 400 lists every bad one")
    public Response importJson(InputStream body) {
        return Response.status(201).entity(new ImportResult(imports.importJson(body))).build();
    }

    @GET
    @Path("/export")
    @Produces(CSV)
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Every agent as CSV (the import's columns), by staff number; cells that a spreadsheet would"
            + " run as formulas are prefixed with an apostrophe")
    public Response export() {
        StreamingOutput csv = out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            AgentCsv.writeHeader(w);
            String after = null;
            List<AgentRecord> batch;
            do {
                batch = agents.batchAfter(after, EXPORT_BATCH);
                for (AgentRecord r : batch) {
                    AgentCsv.writeRow(w, r);
                }
                after = batch.isEmpty() ? after : batch.get(batch.size() - 1).agent().staffNumber;
            } while (batch.size() == EXPORT_BATCH);
            w.flush();
        };
        return Response.ok(csv, CSV + "; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"agents.csv\"").build();
    }

    static UUID agentId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no agent " + value);
        }
    }
}
