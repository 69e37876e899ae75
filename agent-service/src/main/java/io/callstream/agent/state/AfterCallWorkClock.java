package io.callstream.agent.state;

import io.callstream.agent.config.AgentConfig;
import io.callstream.servicekit.tx.Sweeper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Ends after-call work when it is due (the end time is in each agent's row: a restart or another replica ends it too). */
@ApplicationScoped
public class AfterCallWorkClock {
    private final AgentStates states;
    private final AgentConfig config;
    private Sweeper sweeper;

    AfterCallWorkClock(AgentStates states, AgentConfig config) {
        this.states = states;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        sweeper = Sweeper.start("after-call-work", config.afterCallWorkTick(), 200, states::endDueAfterCallWork);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (sweeper != null) {
            sweeper.close();
        }
    }
}
