package io.callstream.agent.state;

import io.callstream.agent.domain.Agent;
import io.callstream.agent.domain.StateHistoryEntry;
import io.callstream.agent.service.CallerAgent;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.Page;
import io.callstream.servicekit.rest.QueryParams;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An agent's state: read it, ask for a change, read its history; admins force agents offline and restore them. */
@Path("/api/v1/agents/{agentId}")
@Tag(name = "Agent state")
@Produces(MediaType.APPLICATION_JSON)
public class AgentStateResource {

    /** One change in an agent's history. */
    public record StateChangeView(AgentState state, String reason, AgentState previousState, AgentStateCause cause,
                                  String callId, String skillGroupId, Instant changedAt) {
    }

    private final AgentStates states;
    private final CallerAgent caller;

    AgentStateResource(AgentStates states, CallerAgent caller) {
        this.states = states;
        this.caller = caller;
    }

    @GET
    @Path("/state")
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.AGENT})
    @Operation(summary = "The agent's state now, and what it may ask for from there (an agent reads only itself)")
    public AgentStateView get(@PathParam("agentId") String agentId) {
        UUID id = agentId(agentId);
        caller.requireReaderOrSelf(agent(id));
        return states.current(id).orElseThrow(() -> ProblemException.notFound("no agent " + agentId));
    }

    @POST
    @Path("/state")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.AGENT})
    @Operation(summary = "Ask for READY, NOT_READY (with a reason) or OFFLINE, now or after the current call (afterCall);"
            + " 409 lists what is allowed when the state machine forbids it")
    public AgentStateView request(@PathParam("agentId") String agentId, StateRequest request) {
        UUID id = agentId(agentId);
        Agent agent = agent(id);
        caller.requireAdminOrSelf(agent);
        return states.request(id, request, !caller.is(agent));
    }

    @POST
    @Path("/force-offline")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Force the agent offline (at once, or when its call ends); it cannot log in until restored")
    public AgentStateView forceOffline(@PathParam("agentId") String agentId) {
        UUID id = agentId(agentId);
        agent(id);
        return states.forceOffline(id);
    }

    @POST
    @Path("/restore")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Let a forced-offline agent log in again")
    public AgentStateView restore(@PathParam("agentId") String agentId) {
        UUID id = agentId(agentId);
        agent(id);
        return states.restore(id);
    }

    @GET
    @Path("/states")
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.AGENT})
    @Transactional
    @Operation(summary = "The agent's state changes in [from, to), newest first, paged (an agent reads only itself)")
    public Page<StateChangeView> history(@PathParam("agentId") String agentId, @QueryParam("from") String from,
                                         @QueryParam("to") String to,
                                         @QueryParam("page") @DefaultValue("0") int page,
                                         @QueryParam("size") @DefaultValue("50") int size) {
        Page.checkRequest(page, size);
        UUID id = agentId(agentId);
        caller.requireReaderOrSelf(agent(id));
        Instant start = QueryParams.instant("from", from, Instant.EPOCH);
        Instant end = QueryParams.instant("to", to, Instant.parse("9999-12-31T00:00:00Z"));
        if (!end.isAfter(start)) {
            throw ProblemException.invalid("to", "must be after from");
        }
        String where = "agentId = ?1 AND changedAt >= ?2 AND changedAt < ?3";
        long total = StateHistoryEntry.count(where, id, start, end);
        List<StateChangeView> items = StateHistoryEntry.<StateHistoryEntry>find(where + " ORDER BY changedAt DESC, id DESC",
                        id, start, end).page(page, size).list().stream()
                .map(h -> new StateChangeView(h.state, h.reason, h.previousState, h.cause, h.callId, h.skillGroupId,
                        h.changedAt)).toList();
        return new Page<>(items, page, size, total);
    }

    private Agent agent(UUID id) {
        return states.agent(id).orElseThrow(() -> ProblemException.notFound("no agent " + id));
    }

    static UUID agentId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no agent " + value);
        }
    }
}
