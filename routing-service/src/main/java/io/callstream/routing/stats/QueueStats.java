package io.callstream.routing.stats;

import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.QueryParams;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Real-time statistics per skill group: what a supervisor's wallboard shows. */
@Path("/api/v1/queue-stats")
@Tag(name = "Queue statistics")
@Produces(MediaType.APPLICATION_JSON)
public class QueueStats {
    private final QueueStatistics statistics;

    QueueStats(QueueStatistics statistics) {
        this.statistics = statistics;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Every skill group's statistics (groups with agents or calls)")
    public List<GroupStats> all(@QueryParam("since") String since,
                                @QueryParam("serviceLevelSeconds") @DefaultValue("20") int serviceLevelSeconds) {
        Instant from = since(since);
        check(serviceLevelSeconds);
        return statistics.all(from, serviceLevelSeconds);
    }

    @GET
    @Path("/{skillGroup}")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "One skill group's statistics: since (ISO instant, default the start of today UTC), serviceLevelSeconds (default 20)")
    public GroupStats one(@PathParam("skillGroup") String group, @QueryParam("since") String since,
                          @QueryParam("serviceLevelSeconds") @DefaultValue("20") int serviceLevelSeconds) {
        check(serviceLevelSeconds);
        return statistics.of(group, since(since), serviceLevelSeconds);
    }

    private static void check(int serviceLevelSeconds) {
        if (serviceLevelSeconds < 1 || serviceLevelSeconds > 3600) {
            throw ProblemException.invalid("serviceLevelSeconds", "must be 1 to 3600");
        }
    }

    private static Instant since(String value) {
        return QueryParams.instant("since", value, Instant.now().truncatedTo(ChronoUnit.DAYS));
    }
}
