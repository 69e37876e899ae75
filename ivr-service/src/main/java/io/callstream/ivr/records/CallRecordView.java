package io.callstream.ivr.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import io.callstream.contracts.Json;
import io.callstream.contracts.ivr.KeyPress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A call record as REST answers it and webhooks receive it. Timestamps are absent until they happen;
 * {@code endStatus} is absent while the call is on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallRecordView(String callId, String direction, String callerNumber, String calledNumber,
                             String attemptId, String sessionId, String flowId, String flowName, Integer flowVersion,
                             Instant startedAt, Instant answeredAt, Instant ivrEndedAt, Instant queuedAt,
                             Instant agentRingingAt, Instant agentAnsweredAt, Instant endedAt, Long durationMillis,
                             String skillGroup, List<AgentLeg> agents, List<KeyPress> keyTrail, String queueExit,
                             String transferredTo, CallEndStatus endStatus, String hungUpBy, Integer hangupCause,
                             String satisfactionKey, String satisfactionLabel, Map<String, String> variables) {

    /** The webhook event type of a finished call's record. */
    public static final String WEBHOOK_EVENT = "io.callstream.ivr.call-record";

    /**
     * One agent the call was offered to: when, whether they answered or missed it (routing's miss
     * reason), and how long they talked.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AgentLeg(String agentId, String skillGroup, Instant offeredAt, Instant answeredAt, String missed,
                           Long talkMillis) {
        AgentLeg answered(Instant at) {
            return new AgentLeg(agentId, skillGroup, offeredAt, answeredAt == null ? at : answeredAt, missed, talkMillis);
        }

        AgentLeg missed(String reason) {
            return new AgentLeg(agentId, skillGroup, offeredAt, answeredAt, reason, talkMillis);
        }

        AgentLeg talked(long millis) {
            return new AgentLeg(agentId, skillGroup, offeredAt, answeredAt, missed, millis);
        }
    }

    static final TypeReference<List<AgentLeg>> AGENTS = new TypeReference<>() { };
    static final TypeReference<List<KeyPress>> TRAIL = new TypeReference<>() { };
    static final TypeReference<Map<String, String>> VARIABLES = new TypeReference<>() { };

    public static CallRecordView of(CallRecord r) {
        Long duration = r.endedAt == null ? null : Duration.between(r.startedAt, r.endedAt).toMillis();
        return new CallRecordView(r.callId, r.direction, r.callerNumber, r.calledNumber, r.attemptId,
                r.sessionId == null ? null : r.sessionId.toString(), r.flowId == null ? null : r.flowId.toString(),
                r.flowName, r.flowVersion, r.startedAt, r.answeredAt, r.ivrEndedAt, r.queuedAt, r.agentRingingAt,
                r.agentAnsweredAt, r.endedAt, duration, r.skillGroup, read(r.agents, AGENTS), read(r.keyTrail, TRAIL),
                r.queueExit, r.transferredTo, r.endStatus == null ? null : CallEndStatus.valueOf(r.endStatus), r.hungUpBy,
                r.hangupCause, r.satisfactionKey, r.satisfactionLabel, read(r.variables, VARIABLES));
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("a call record column is not readable JSON", e);
        }
    }

    static String write(Object value) {
        return new String(Json.write(value), java.nio.charset.StandardCharsets.UTF_8);
    }
}
