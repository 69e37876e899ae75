package io.callstream.outbound.rest;

import io.callstream.contracts.outbound.CalleeState;
import io.callstream.contracts.outbound.TaskState;
import io.callstream.outbound.service.CalleeUploads;
import io.callstream.outbound.service.Tasks;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.Page;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Automatic outbound tasks: business systems (integration) and admins create and steer them; qa reads. */
@Path("/api/v1/tasks")
@Tag(name = "Outbound tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    public static final String NDJSON = "application/x-ndjson";
    public static final String CSV = "text/csv";

    private final Tasks tasks;
    private final CalleeUploads uploads;
    private final JsonWebToken token;

    TaskResource(Tasks tasks, CalleeUploads uploads, JsonWebToken token) {
        this.tasks = tasks;
        this.uploads = uploads;
        this.token = token;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN})
    @Operation(summary = "Create a task with up to 10,000 inline callees (more by upload); the same Idempotency-Key "
            + "returns the task it created first (200) instead of a second one")
    public Response create(TaskRequest request, @HeaderParam(IDEMPOTENCY_HEADER) String idempotencyKey,
                           @Context UriInfo uri) {
        Tasks.Created c = tasks.create(request, token.getSubject(), idempotencyKey);
        Response.ResponseBuilder r = c.replayed() ? Response.ok() : Response.status(Response.Status.CREATED);
        return r.location(uri.getBaseUriBuilder().path("api/v1/tasks").path(c.task().id()).build())
                .header("Idempotent-Replayed", Boolean.toString(c.replayed())).entity(c.task()).build();
    }

    @GET
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN, Roles.QA})
    @Operation(summary = "List tasks, newest first, optionally of one state or with a name containing name")
    public Page<TaskView> list(@QueryParam("state") String state, @QueryParam("name") String name,
                               @QueryParam("page") @DefaultValue("0") int page,
                               @QueryParam("size") @DefaultValue("50") int size) {
        return tasks.list(state == null ? null : enumValue(TaskState.class, "state", state), name, page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN, Roles.QA})
    @Operation(summary = "Read a task: settings, state and its callees counted by state")
    public TaskView get(@PathParam("id") String id) {
        UUID taskId = taskId(id);
        return tasks.view(taskId).orElseThrow(() -> ProblemException.notFound("no task " + id));
    }

    @POST
    @Path("/{id}/pause")
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN})
    @Operation(summary = "Stop dialing new callees; calls in progress go on")
    public TaskView pause(@PathParam("id") String id) {
        return tasks.pause(taskId(id));
    }

    @POST
    @Path("/{id}/resume")
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN})
    @Operation(summary = "Dial again after a pause")
    public TaskView resume(@PathParam("id") String id) {
        return tasks.resume(taskId(id));
    }

    @POST
    @Path("/{id}/stop")
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN})
    @Operation(summary = "End the task: callees not dialed yet are not dialed; ENDING until calls in progress end, then STOPPED")
    public TaskView stop(@PathParam("id") String id) {
        return tasks.stop(taskId(id));
    }

    @POST
    @Path("/{id}/callees")
    @Consumes({CSV, NDJSON})
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN})
    @Operation(summary = "Add callees by streaming CSV (header: number, uui, then one column per variable) or NDJSON "
            + "(one {number, variables, uui} per line); invalidRows=reject (default) refuses the whole upload when "
            + "a row is invalid, invalidRows=skip adds the valid rows; every invalid row is reported")
    public UploadResult upload(@PathParam("id") String id, @HeaderParam("Content-Type") String contentType,
                               @QueryParam("invalidRows") @DefaultValue("reject") String invalidRows, InputStream body) {
        UUID taskId = taskId(id);
        CalleeUploads.Format format = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(CSV)
                ? CalleeUploads.Format.CSV : CalleeUploads.Format.NDJSON;
        return uploads.upload(taskId, body, format, enumValue(CalleeUploads.InvalidRows.class, "invalidRows", invalidRows));
    }

    @GET
    @Path("/{id}/callees")
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN, Roles.QA})
    @Operation(summary = "A task's callees in upload order, each with its attempts (outcome, timings, keys, variables)")
    public Page<CalleeView> callees(@PathParam("id") String id, @QueryParam("state") String state,
                                    @QueryParam("page") @DefaultValue("0") int page,
                                    @QueryParam("size") @DefaultValue("50") int size) {
        return tasks.callees(taskId(id), state == null ? null : enumValue(CalleeState.class, "state", state), page, size);
    }

    @GET
    @Path("/{id}/callees/{calleeId}")
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN, Roles.QA})
    @Operation(summary = "One callee with its attempts")
    public CalleeView callee(@PathParam("id") String id, @PathParam("calleeId") String calleeId) {
        long n;
        try {
            n = Long.parseLong(calleeId);
        } catch (NumberFormatException e) {
            throw ProblemException.invalid("calleeId", "not a callee id (a number): " + calleeId);
        }
        return tasks.callee(taskId(id), n).orElseThrow(() -> ProblemException.notFound("no callee " + calleeId + " in task " + id));
    }

    @GET
    @Path("/{id}/callbacks")
    @RolesAllowed({Roles.INTEGRATION, Roles.ADMIN})
    @Operation(summary = "The delivery log of the task's callbacks, newest first: status, tries, last HTTP status or error")
    public Page<Map<String, Object>> callbacks(@PathParam("id") String id, @QueryParam("page") @DefaultValue("0") int page,
                                               @QueryParam("size") @DefaultValue("50") int size) {
        return tasks.callbacks(taskId(id), page, size);
    }

    static UUID taskId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no task " + id);
        }
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, String field, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        throw ProblemException.invalid(field, "one of " + java.util.Arrays.toString(type.getEnumConstants()) + ": " + value);
    }
}
