package io.callstream.agent.satisfaction;

import io.callstream.agent.domain.Agent;
import io.callstream.agent.service.CallerAgent;
import io.callstream.servicekit.problem.Problem;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.Page;
import io.callstream.servicekit.rest.QueryParams;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Satisfaction records: one by call id, a search (newest first), and summaries per agent or skill
 * group. Admins, qa and business systems read everything; an agent reads only its own records: its
 * searches and its summary are limited to itself, and asking by name for another agent's records, or
 * for a summary per skill group, is refused (403); another agent's record by call id is not found (404),
 * as a call without a record is, so that an agent cannot tell which calls have one.
 */
@Path("/api/v1/satisfaction-records")
@Tag(name = "Satisfaction records")
@Produces(MediaType.APPLICATION_JSON)
public class SatisfactionRecordResource {
    private static final String TIME = "ISO-8601 instant, e.g. 2026-11-24T09:00:00Z";

    private final SatisfactionRecords records;
    private final CallerAgent caller;
    private final JsonWebToken token;

    SatisfactionRecordResource(SatisfactionRecords records, CallerAgent caller, JsonWebToken token) {
        this.records = records;
        this.caller = caller;
        this.token = token;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.INTEGRATION, Roles.AGENT})
    @Operation(summary = "Search satisfaction records, newest first: by agent, skill group, collection time range"
            + " [from, to); each with the agent's staff number and name (an agent sees only its own records)")
    public Page<SatisfactionRecordView> search(
            @QueryParam("agentId") String agentId, @QueryParam("skillGroup") String skillGroup,
            @QueryParam("from") @Parameter(description = TIME) String from,
            @QueryParam("to") @Parameter(description = TIME) String to,
            @QueryParam("page") @Parameter(description = "from 0", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "0")) String page,
            @QueryParam("size") @Parameter(description = "1 to 200", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "50")) String size) {
        int p = number("page", page, 0);
        int s = number("size", size, 50);
        Page.checkRequest(p, s);
        return records.search(filter(agentId, skillGroup, from, to), p, s);
    }

    @GET
    @Path("/{callId}")
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.INTEGRATION, Roles.AGENT})
    @Operation(summary = "The satisfaction record of one call (an agent reads only its own)")
    public SatisfactionRecordView get(@PathParam("callId") String callId) {
        Optional<Agent> own = ownAgentOnly(); // before the lookup: a token naming no agent learns nothing of the call
        // another agent's record answers as no record would: a refusal would tell that the call has one
        return records.find(callId).filter(r -> own.isEmpty() || own.get().id.toString().equals(r.agentId()))
                .orElseThrow(() -> ProblemException.notFound("no satisfaction record for call " + callId));
    }

    @GET
    @Path("/summary")
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.INTEGRATION, Roles.AGENT})
    @Operation(summary = "Satisfaction per agent or per skill group over the records the filters cover: count, answered"
            + " (with a key), noInput, satisfied (answered with a satisfied label), satisfiedPercent (of answered, one"
            + " decimal; null when none was answered) and the count per label (an agent gets only its own agent line)")
    public List<SatisfactionSummary> summary(
            @QueryParam("by") @Parameter(description = "agent (default) or skillGroup") String by,
            @QueryParam("agentId") String agentId, @QueryParam("skillGroup") String skillGroup,
            @QueryParam("from") @Parameter(description = TIME) String from,
            @QueryParam("to") @Parameter(description = TIME) String to) {
        SatisfactionRecords.Grouping grouping = grouping(by);
        if (grouping != SatisfactionRecords.Grouping.AGENT && ownAgentOnly().isPresent()) {
            throw forbidden("by", "an agent reads only its own agent summary");
        }
        return records.summarize(grouping, filter(agentId, skillGroup, from, to));
    }

    /** The filter asked for, limited to the caller's own records when it is only an agent. */
    private SatisfactionFilter filter(String agentId, String skillGroup, String from, String to) {
        Instant since = QueryParams.instant("from", from, null);
        Instant until = QueryParams.instant("to", to, null);
        if (since != null && until != null && !since.isBefore(until)) {
            throw ProblemException.invalid("to", "must be after from");
        }
        String agent = present(agentId) ? agentId.trim() : null;
        Optional<Agent> own = ownAgentOnly();
        if (own.isPresent()) {
            Agent self = own.get();
            if (agent != null && !agent.equals(self.id.toString()) && !agent.equals(self.staffNumber)) {
                throw forbidden("agentId", "an agent reads only its own satisfaction records");
            }
            agent = self.id.toString();
        }
        return new SatisfactionFilter(agent, present(skillGroup) ? skillGroup.trim() : null, since, until);
    }

    /** The agent whose records alone the caller may read; empty for admins, qa and business systems. */
    private Optional<Agent> ownAgentOnly() {
        if (caller.isAdmin() || caller.isQa() || token.getGroups().contains(Roles.INTEGRATION)) {
            return Optional.empty();
        }
        return Optional.of(caller.self().orElseThrow(() -> forbidden(null, "the token names no agent")));
    }

    private static ProblemException forbidden(String field, String detail) {
        return new ProblemException(403, "forbidden", detail,
                field == null ? List.of() : List.of(new Problem.FieldError(field, detail)));
    }

    private static SatisfactionRecords.Grouping grouping(String by) {
        if (!present(by) || "agent".equals(by.trim())) {
            return SatisfactionRecords.Grouping.AGENT;
        }
        if ("skillGroup".equals(by.trim())) {
            return SatisfactionRecords.Grouping.SKILL_GROUP;
        }
        throw ProblemException.invalid("by", "'" + by + "' is not one of agent, skillGroup");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static int number(String field, String value, int absent) {
        if (!present(value)) {
            return absent;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.invalid(field, "'" + value + "' is not a whole number");
        }
    }
}
