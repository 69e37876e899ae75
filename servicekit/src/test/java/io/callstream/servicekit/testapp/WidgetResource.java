package io.callstream.servicekit.testapp;

import io.callstream.servicekit.ServicekitTestResources;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.UUID;

/** A real endpoint that exercises servicekit: validation, security, problems, outbox in one transaction. */
@Path("/widgets")
@Produces(MediaType.APPLICATION_JSON)
public class WidgetResource {
    public record NewWidget(@NotBlank @Size(max = 40) String name, @NotNull Widget.Color color,
                            @NotNull @Min(1) @Max(5) Integer priority) {
    }

    public record WidgetCreated(String widgetId, String name, Widget.Color color) {
    }

    private final Outbox outbox;

    WidgetResource(Outbox outbox) {
        this.outbox = outbox;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.INTEGRATION})
    @Transactional
    public Response create(@Valid @NotNull NewWidget body) {
        if (Widget.count("name", body.name()) > 0) {
            throw ProblemException.conflict("name", "a widget named " + body.name() + " exists");
        }
        Widget w = new Widget();
        w.id = UUID.randomUUID();
        w.name = body.name();
        w.color = body.color();
        w.priority = body.priority();
        w.persist();
        outbox.publish(ServicekitTestResources.WIDGET_TOPIC, w.id.toString(), "io.callstream.test.widget-created",
                new WidgetCreated(w.id.toString(), w.name, w.color));
        return Response.status(201).entity(new WidgetCreated(w.id.toString(), w.name, w.color)).build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    public WidgetCreated get(@PathParam("id") UUID id) {
        Widget w = Widget.findById(id);
        if (w == null) {
            throw ProblemException.notFound("no widget " + id);
        }
        return new WidgetCreated(w.id.toString(), w.name, w.color);
    }

    @GET
    @Path("/boom")
    @RolesAllowed(Roles.ADMIN)
    public String boom() {
        throw new IllegalStateException("secret internal detail");
    }
}
