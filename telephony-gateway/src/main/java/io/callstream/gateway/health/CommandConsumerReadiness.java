package io.callstream.gateway.health;

import io.callstream.gateway.messaging.CommandStream;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once this replica's command consumer owns its partitions: it reads from the latest
 * offset, so a call taken before that could miss its first commands.
 */
@Readiness
@ApplicationScoped
public class CommandConsumerReadiness implements HealthCheck {
    private final CommandStream commands;

    CommandConsumerReadiness(CommandStream commands) {
        this.commands = commands;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Call command consumer").status(commands.assigned()).build();
    }
}
