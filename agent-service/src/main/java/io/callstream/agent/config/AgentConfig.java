package io.callstream.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** agent-service's own settings ({@code callstream.agent.*}); docs/configuration.md lists them. */
@ConfigMapping(prefix = "callstream.agent")
public interface AgentConfig {
    /** {@code callstream.agent.after-call-work}: wrap-up time after a call when its skill group sets none; 0 goes straight on. */
    @WithDefault("15s")
    Duration afterCallWork();

    /** {@code callstream.agent.missed-calls-limit}: offers missed in a row that set the agent not ready. */
    @WithDefault("3")
    int missedCallsLimit();

    /** {@code callstream.agent.missed-calls-reason}: the not-ready reason given then. */
    @WithDefault("missed calls")
    String missedCallsReason();

    /** {@code callstream.agent.endpoint-technology}: an agent's endpoint is this, a slash and its extension (PJSIP/1001). */
    @WithDefault("PJSIP")
    String endpointTechnology();

    /** {@code callstream.agent.after-call-work-tick}: how often ended after-call work is looked for. */
    @WithDefault("250ms")
    Duration afterCallWorkTick();

    /** {@code callstream.agent.bulk-max-rows}: agents one bulk import may hold. */
    @WithDefault("10000")
    int bulkMaxRows();

    /** {@code callstream.agent.satisfied-labels}: survey labels that count as satisfied in the aggregates (case ignored). */
    @WithDefault("satisfied,very satisfied")
    List<String> satisfiedLabels();
}
