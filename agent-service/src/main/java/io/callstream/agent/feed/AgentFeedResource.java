package io.callstream.agent.feed;

import io.callstream.agent.domain.Agent;
import io.callstream.agent.service.CallerAgent;
import io.callstream.agent.state.AgentStates;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/** An agent's live feed: server-sent events for the workbench or a business system's embedded SDK. */
@Path("/api/v1/agents/{agentId}/feed")
@Tag(name = "Agent state")
public class AgentFeedResource {
    private final AgentFeed feed;
    private final AgentStates states;
    private final CallerAgent caller;

    AgentFeedResource(AgentFeed feed, AgentStates states, CallerAgent caller) {
        this.feed = feed;
        this.states = states;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed({Roles.ADMIN, Roles.AGENT})
    @Operation(summary = "Server-sent events for one agent: `snapshot` (its state on connecting), `state` (every "
            + "change, as io.callstream.agent.state-changed data) and `screen-pop` (a call offered: numbers, skill group, "
            + "wait, IVR variables and key trail). An agent reads only its own feed")
    public void feed(@PathParam("agentId") String agentId, @Context SseEventSink sink, @Context Sse sse) {
        UUID id;
        try {
            id = UUID.fromString(agentId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no agent " + agentId);
        }
        Agent agent = states.agent(id).orElseThrow(() -> ProblemException.notFound("no agent " + agentId));
        caller.requireAdminOrSelf(agent);
        feed.subscribe(id.toString(), sink, sse, states.current(id).orElseThrow());
    }
}
