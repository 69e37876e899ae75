package io.callstream.outbound.service;

import io.callstream.contracts.outbound.AttemptOutcome;
import io.callstream.outbound.domain.CallWindows;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A task's settings once validated, defaults applied. */
public record TaskSettings(String name, String description, UUID flowId, List<String> callerNumbers,
                           Instant notBefore, Instant notAfter, int maxTries, int retryIntervalSeconds,
                           Set<AttemptOutcome> retryOn, CallWindows windows, int maxRingSeconds,
                           int maxConcurrentCalls, double maxCallsPerSecond, String callbackUrl, String callbackSecret) {
}
