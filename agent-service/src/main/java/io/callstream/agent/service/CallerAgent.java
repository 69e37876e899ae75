package io.callstream.agent.service;

import io.callstream.agent.domain.Agent;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.security.Roles;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.UUID;

/**
 * Who the caller is, as an agent. An agent's bearer token names the agent in its subject, by agent id
 * or by staff number; admins (and qa, where reading is allowed) act on anyone, an agent only on itself.
 */
@RequestScoped
public class CallerAgent {
    private final JsonWebToken token;

    CallerAgent(JsonWebToken token) {
        this.token = token;
    }

    public boolean isAdmin() {
        return token.getGroups().contains(Roles.ADMIN);
    }

    public boolean isQa() {
        return token.getGroups().contains(Roles.QA);
    }

    /** Whether the token's subject is this agent (its id or its staff number). */
    public boolean is(Agent agent) {
        String subject = token.getSubject();
        return subject != null && (subject.equals(agent.id.toString()) || subject.equals(agent.staffNumber));
    }

    /** Refuses (403) unless the caller is an admin, or {@code agent} itself. */
    public void requireAdminOrSelf(Agent agent) {
        if (!isAdmin() && !is(agent)) {
            throw new ProblemException(403, "forbidden", "an agent acts only on itself", java.util.List.of());
        }
    }

    /** Refuses (403) unless the caller is an admin or qa, or {@code agent} itself. */
    public void requireReaderOrSelf(Agent agent) {
        if (!isAdmin() && !isQa() && !is(agent)) {
            throw new ProblemException(403, "forbidden", "an agent reads only itself", java.util.List.of());
        }
    }

    /** The agent the token names, if any. */
    public java.util.Optional<Agent> self() {
        String subject = token.getSubject();
        if (subject == null) {
            return java.util.Optional.empty();
        }
        try {
            Agent byId = Agent.findById(UUID.fromString(subject));
            if (byId != null) {
                return java.util.Optional.of(byId);
            }
        } catch (IllegalArgumentException notAnId) {
            // a staff number
        }
        return Agent.find("staffNumber", subject).firstResultOptional();
    }
}
