package io.callstream.ivr.rest;

import io.callstream.ivr.rest.FlowViews.BindRequest;
import io.callstream.ivr.rest.FlowViews.NumberView;
import io.callstream.ivr.service.NumberService;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Inbound numbers → flows: admins bind, qa reads. */
@Path("/api/v1/numbers")
@Tag(name = "Numbers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NumberResource {
    private final NumberService numbers;
    private final JsonWebToken token;

    NumberResource(NumberService numbers, JsonWebToken token) {
        this.numbers = numbers;
        this.token = token;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Every bound number")
    public List<NumberView> list() {
        return numbers.list().stream().map(NumberView::of).toList();
    }

    @GET
    @Path("/{number}")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "The flow a number runs")
    public NumberView get(@PathParam("number") String number) {
        return numbers.get(number).map(NumberView::of)
                .orElseThrow(() -> ProblemException.notFound("number " + number + " is not bound"));
    }

    @PUT
    @Path("/{number}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Bind a number to an inbound flow with a published version (replacing its flow)")
    public NumberView bind(@PathParam("number") String number, BindRequest request) {
        return NumberView.of(numbers.bind(number, request == null ? null : request.flowId(), token.getSubject()));
    }

    @DELETE
    @Path("/{number}")
    @Consumes(MediaType.WILDCARD) // no body
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Unbind a number; its calls then get the unbound-number treatment")
    public Response unbind(@PathParam("number") String number) {
        numbers.unbind(number);
        return Response.noContent().build();
    }
}
