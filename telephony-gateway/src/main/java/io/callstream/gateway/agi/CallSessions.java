package io.callstream.gateway.agi;

import io.callstream.contracts.EventCatalog;
import io.callstream.gateway.config.GatewayConfig;
import io.callstream.gateway.domain.CallRegistry;
import io.callstream.gateway.domain.LiveCalls;
import io.callstream.gateway.messaging.CallEventPublisher;
import jakarta.enterprise.context.ApplicationScoped;

/** Makes the {@link CallSession} of each FastAGI connection, with what every session shares. */
@ApplicationScoped
public class CallSessions {
    final GatewayConfig config;
    final LiveCalls calls;
    final CallRegistry registry;
    final CallEventPublisher publisher;
    final CommandRunner runner;

    CallSessions(GatewayConfig config, LiveCalls calls, CallRegistry registry, CallEventPublisher publisher,
                 CommandRunner runner) {
        this.config = config;
        this.calls = calls;
        this.registry = registry;
        this.publisher = publisher;
        this.runner = runner;
    }

    CallSession newSession() {
        return new CallSession(this);
    }

    static String typeOf(Object command) {
        return EventCatalog.of(command.getClass()).type();
    }
}
