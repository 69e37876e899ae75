package io.callstream.outbound.rest;

import io.callstream.outbound.service.CallerNumbers;
import io.callstream.outbound.service.DoNotCall;
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
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** The platform's caller numbers and the do-not-call list. */
public final class NumberResources {
    private NumberResources() {
    }

    /** Caller numbers: admins manage them; business systems read which they may use. */
    @Path("/api/v1/caller-numbers")
    @Tag(name = "Caller numbers")
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes(MediaType.APPLICATION_JSON)
    public static class CallerNumberResource {
        public record Settings(Integer maxConcurrentCalls) {
        }

        private final CallerNumbers numbers;

        CallerNumberResource(CallerNumbers numbers) {
            this.numbers = numbers;
        }

        @GET
        @RolesAllowed({Roles.ADMIN, Roles.INTEGRATION, Roles.QA})
        @Operation(summary = "Every caller number with its concurrency limit and calls in progress")
        public List<CallerNumbers.CallerNumber> list() {
            return numbers.list();
        }

        @PUT
        @Path("/{number}")
        @RolesAllowed(Roles.ADMIN)
        @Operation(summary = "Add a caller number the platform owns, or change its limit of concurrent calls")
        public Response put(@PathParam("number") String number, Settings settings) {
            boolean created = numbers.put(number, settings == null ? null : settings.maxConcurrentCalls());
            return Response.status(created ? 201 : 200).entity(numbers.get(number).orElseThrow()).build();
        }

        @DELETE
        @Path("/{number}")
        @RolesAllowed(Roles.ADMIN)
        @Operation(summary = "Remove a caller number: tasks listing it stop using it")
        public Response delete(@PathParam("number") String number) {
            if (!numbers.remove(number)) {
                throw ProblemException.notFound("no caller number " + number);
            }
            return Response.noContent().build();
        }
    }

    /** The do-not-call list: business systems and admins keep it. */
    @Path("/api/v1/dnc")
    @Tag(name = "Do-not-call list")
    @Produces(MediaType.APPLICATION_JSON)
    @Consumes(MediaType.APPLICATION_JSON)
    public static class DoNotCallResource {
        public record AddRequest(String reason) {
        }

        public record BulkRequest(List<String> add, List<String> remove, String reason) {
        }

        private final DoNotCall dnc;
        private final JsonWebToken token;

        DoNotCallResource(DoNotCall dnc, JsonWebToken token) {
            this.dnc = dnc;
            this.token = token;
        }

        @GET
        @RolesAllowed({Roles.ADMIN, Roles.INTEGRATION, Roles.QA})
        @Operation(summary = "The listed numbers, in order")
        public Page<DoNotCall.Entry> list(@QueryParam("page") @DefaultValue("0") int page,
                                          @QueryParam("size") @DefaultValue("50") int size) {
            return dnc.list(page, size);
        }

        @GET
        @Path("/{number}")
        @RolesAllowed({Roles.ADMIN, Roles.INTEGRATION, Roles.QA})
        @Operation(summary = "Whether a number is listed (404 when not)")
        public DoNotCall.Entry get(@PathParam("number") String number) {
            return dnc.get(number).orElseThrow(() -> ProblemException.notFound(number + " is not on the do-not-call list"));
        }

        @PUT
        @Path("/{number}")
        @RolesAllowed({Roles.ADMIN, Roles.INTEGRATION})
        @Operation(summary = "List a number: it is never dialed, its callees are reported as blocked")
        public Response add(@PathParam("number") String number, AddRequest request) {
            boolean created = dnc.add(number, request == null ? null : request.reason(), token.getSubject());
            return Response.status(created ? 201 : 200).entity(dnc.get(number).orElseThrow()).build();
        }

        @DELETE
        @Path("/{number}")
        @RolesAllowed({Roles.ADMIN, Roles.INTEGRATION})
        @Operation(summary = "Take a number off the list")
        public Response remove(@PathParam("number") String number) {
            if (!dnc.remove(number)) {
                throw ProblemException.notFound(number + " is not on the do-not-call list");
            }
            return Response.noContent().build();
        }

        @POST
        @Path("/bulk")
        @RolesAllowed({Roles.ADMIN, Roles.INTEGRATION})
        @Operation(summary = "Add and remove up to 100,000 numbers in one request; all change or, when one is invalid, none")
        public DoNotCall.BulkResult bulk(BulkRequest request) {
            if (request == null) {
                throw ProblemException.invalid("body", "{add: [...], remove: [...], reason} is required");
            }
            return dnc.bulk(request.add(), request.remove(), request.reason(), token.getSubject());
        }
    }
}
