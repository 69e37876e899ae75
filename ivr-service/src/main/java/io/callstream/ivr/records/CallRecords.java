package io.callstream.ivr.records;

import io.callstream.contracts.call.AgentAlerted;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CallTransferred;
import io.callstream.contracts.call.DialExternal;
import io.callstream.contracts.call.TransferExtension;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.IvrSessionStarted;
import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.ivr.UnboundNumberCalled;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.ivr.config.IvrConfig;
import io.callstream.servicekit.consumer.IncomingEvent;
import io.callstream.servicekit.webhook.Webhooks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Keeps each call's record from the events of the call: the gateway's call events and routing's events
 * (as the consumer takes them off Kafka, with the event's own time), and the IVR's events (as the engine
 * publishes them, in the same transaction). When the call ends the record gets its end status and goes
 * to every configured webhook, signed, through servicekit's {@link Webhooks} — queued in the same
 * transaction, so a crash neither loses nor half-writes it.
 *
 * <p>Routing events may arrive after the call ended (they travel on another topic); they still update
 * the record, but the webhook has already been sent with what was known at the end.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class CallRecords {
    private static final Logger LOG = Logger.getLogger(CallRecords.class);

    private final Webhooks webhooks;
    private final IvrConfig config;

    CallRecords(Webhooks webhooks, IvrConfig config) {
        this.webhooks = webhooks;
        this.config = config;
    }

    /**
     * A call or routing event. {@code CallStarted} must come before the engine handles the event (the
     * session's own events then find the record); every other one after it (so that the session's end is
     * in the record before {@code CallEnded} closes it).
     */
    public void on(IncomingEvent event) {
        Instant at = event.envelope().time() == null ? Instant.now() : event.envelope().time();
        switch (event.type()) {
            case CallStarted.TYPE:
                started(event.data(CallStarted.class), at);
                break;
            case CallAnswered.TYPE:
                update(event.subject(), r -> {
                    if (r.answeredAt == null) {
                        r.answeredAt = at;
                    }
                });
                break;
            case CallQueued.TYPE:
                CallQueued q = event.data(CallQueued.class);
                update(q.callId(), r -> {
                    r.queuedAt = r.queuedAt == null ? (q.queuedAt() == null ? at : q.queuedAt()) : r.queuedAt;
                    r.skillGroup = q.skillGroup();
                });
                break;
            case AgentOffered.TYPE:
                AgentOffered o = event.data(AgentOffered.class);
                update(o.callId(), r -> offered(r, o.agentId(), o.skillGroup(), at));
                break;
            case AgentAlerted.TYPE:
                AgentAlerted alerted = event.data(AgentAlerted.class);
                update(alerted.callId(), r -> offered(r, alerted.agentId(), r.skillGroup, at));
                break;
            case AgentMissed.TYPE:
                AgentMissed m = event.data(AgentMissed.class);
                update(m.callId(), r -> agent(r, m.agentId(), leg -> leg.missed(m.reason() == null ? "UNKNOWN" : m.reason().name())));
                break;
            case CallConnected.TYPE:
                CallConnected c = event.data(CallConnected.class);
                update(c.callId(), r -> connected(r, c.agentId(), c.skillGroup(), at));
                break;
            case AgentConnected.TYPE:
                AgentConnected ac = event.data(AgentConnected.class);
                update(ac.callId(), r -> connected(r, ac.agentId(), r.skillGroup, at));
                break;
            case QueueExited.TYPE:
                QueueExited exit = event.data(QueueExited.class);
                update(exit.callId(), r -> r.queueExit = exit.reason() == null ? null : exit.reason().name());
                break;
            case BridgeEnded.TYPE:
                BridgeEnded b = event.data(BridgeEnded.class);
                if (b.agentId() != null) {
                    update(b.callId(), r -> {
                        connected(r, b.agentId(), r.skillGroup, at); // a bridge with an agent: they answered
                        agent(r, b.agentId(), leg -> leg.talked(b.talkMillis()));
                    });
                }
                break;
            case CallTransferred.TYPE:
                CallTransferred t = event.data(CallTransferred.class);
                update(t.callId(), r -> r.transferredTo = t.target());
                break;
            case CallEnded.TYPE:
                ended(event.data(CallEnded.class), at);
                break;
            default:
                // prompts, digits, speech, command results: the IVR's own events say what they meant
        }
    }

    /** An event the IVR engine publishes (or a command it issues), applied as it is published. */
    public void published(String callId, Object event) {
        Instant now = Instant.now();
        if (event instanceof IvrSessionStarted s) {
            update(callId, r -> {
                r.sessionId = UUID.fromString(s.sessionId());
                r.flowId = UUID.fromString(s.flowId());
                r.flowName = s.flowName();
                r.flowVersion = s.flowVersion();
            });
        } else if (event instanceof TransferRequested t) {
            update(callId, r -> {
                leftIvr(r, now);
                r.skillGroup = t.skillGroup();
                r.queueExit = null; // a new queue: an earlier one's exit no longer says how this ends
            });
        } else if (event instanceof DialExternal || event instanceof TransferExtension) {
            update(callId, r -> leftIvr(r, now));
        } else if (event instanceof SatisfactionCollected s) {
            update(callId, r -> {
                r.satisfactionKey = s.key();
                r.satisfactionLabel = s.label();
            });
        } else if (event instanceof IvrSessionEnded e) {
            update(callId, r -> {
                leftIvr(r, now);
                r.ivrOutcome = e.outcome().name();
                r.variables = CallRecordView.write(e.variables() == null ? Map.of() : e.variables());
                r.keyTrail = CallRecordView.write(e.keyTrail() == null ? List.of() : e.keyTrail());
            });
        } else if (event instanceof UnboundNumberCalled) {
            update(callId, r -> {
                r.ivrOutcome = "NO_FLOW";
                r.ivrEndedAt = now;
            });
        }
    }

    // ------------------------------------------------------------------

    private void started(CallStarted call, Instant at) {
        if (CallRecord.findById(call.callId()) != null) {
            return;
        }
        CallRecord r = new CallRecord();
        r.callId = call.callId();
        r.direction = call.direction() == null ? CallDirection.INBOUND.name() : call.direction().name();
        r.callerNumber = call.from();
        r.calledNumber = call.to();
        r.attemptId = call.attemptId();
        r.startedAt = at;
        if (call.direction() == CallDirection.OUTBOUND) {
            r.answeredAt = at; // an outbound call reaches the IVR once the callee has answered
        }
        r.agents = "[]";
        r.keyTrail = "[]";
        r.variables = "{}";
        r.updatedAt = Instant.now();
        r.persist();
    }

    private void ended(CallEnded end, Instant at) {
        CallRecord r = CallRecord.findById(end.callId());
        if (r == null || r.endStatus != null) {
            return; // a call that started before records existed, or a second CallEnded
        }
        r.endedAt = at;
        r.hungUpBy = end.hungUpBy() == null ? null : end.hungUpBy().name();
        r.hangupCause = end.cause();
        r.endStatus = status(r).name();
        r.updatedAt = Instant.now();
        deliver(r);
    }

    /** How the call ended, by what the record knows: the first of {@link CallEndStatus}'s order that applies. */
    static CallEndStatus status(CallRecord r) {
        if (r.agentAnsweredAt != null) {
            return CallEndStatus.AGENT_ANSWERED;
        }
        if (r.transferredTo != null) {
            return CallEndStatus.TRANSFERRED;
        }
        if ("NO_FLOW".equals(r.ivrOutcome)) {
            return CallEndStatus.NO_FLOW;
        }
        if (r.skillGroup != null && (r.queueExit == null || QueueExitReason.ABANDONED.name().equals(r.queueExit))) {
            return CallEndStatus.QUEUE_ABANDONED; // transferred to a group and never left its queue but by hanging up
        }
        if (QueueExitReason.TIMEOUT.name().equals(r.queueExit)) {
            return CallEndStatus.QUEUE_TIMEOUT;
        }
        if (QueueExitReason.QUEUE_FULL.name().equals(r.queueExit)) {
            return CallEndStatus.QUEUE_FULL;
        }
        if (QueueExitReason.NO_AGENT.name().equals(r.queueExit)) {
            return CallEndStatus.NO_AGENT;
        }
        if ("FAILED".equals(r.ivrOutcome)) {
            return CallEndStatus.IVR_FAILED;
        }
        if ("COMPLETED".equals(r.ivrOutcome)) {
            return CallEndStatus.IVR_COMPLETED;
        }
        return CallEndStatus.IVR_ABANDONED;
    }

    private void deliver(CallRecord r) {
        Map<String, IvrConfig.Records.Webhook> targets = config.records().webhooks();
        if (targets.isEmpty()) {
            return;
        }
        byte[] body = io.callstream.contracts.Json.write(CallRecordView.of(r));
        targets.forEach((name, target) -> {
            try {
                webhooks.enqueue(name, target.url(), CallRecordView.WEBHOOK_EVENT, body);
            } catch (IllegalArgumentException refused) {
                // checked at start (RecordWebhookSecrets); a refusal here must not stop the call's events
                LOG.errorf("call %s: call-record webhook %s not queued: %s", r.callId, name, refused.getMessage());
            }
        });
    }

    private static void leftIvr(CallRecord r, Instant at) {
        if (r.ivrEndedAt == null) {
            r.ivrEndedAt = at;
        }
    }

    private static void offered(CallRecord r, String agentId, String skillGroup, Instant at) {
        if (agentId == null) {
            return;
        }
        if (r.agentRingingAt == null) {
            r.agentRingingAt = at;
        }
        if (skillGroup != null) {
            r.skillGroup = skillGroup;
        }
        List<CallRecordView.AgentLeg> legs = new ArrayList<>(CallRecordView.read(r.agents, CallRecordView.AGENTS));
        CallRecordView.AgentLeg last = legs.isEmpty() ? null : legs.get(legs.size() - 1);
        if (last != null && last.agentId().equals(agentId) && last.answeredAt() == null && last.missed() == null) {
            return; // routing's offer and the gateway's ring of the same leg
        }
        legs.add(new CallRecordView.AgentLeg(agentId, skillGroup, at, null, null, null));
        r.agents = CallRecordView.write(legs);
        CallRecord.getEntityManager().createNativeQuery(
                        "INSERT INTO call_record_agent (call_id, agent_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
                .setParameter(1, r.callId).setParameter(2, agentId).executeUpdate();
    }

    private static void connected(CallRecord r, String agentId, String skillGroup, Instant at) {
        if (agentId == null) {
            return;
        }
        if (CallRecordView.read(r.agents, CallRecordView.AGENTS).stream().noneMatch(l -> l.agentId().equals(agentId))) {
            offered(r, agentId, skillGroup, at); // the offer is still on its way (another topic)
        }
        if (r.agentAnsweredAt == null) {
            r.agentAnsweredAt = at;
        }
        agent(r, agentId, leg -> leg.answered(at));
    }

    /** Changes the agent's latest leg. */
    private static void agent(CallRecord r, String agentId, java.util.function.UnaryOperator<CallRecordView.AgentLeg> change) {
        List<CallRecordView.AgentLeg> legs = new ArrayList<>(CallRecordView.read(r.agents, CallRecordView.AGENTS));
        for (int i = legs.size() - 1; i >= 0; i--) {
            if (legs.get(i).agentId().equals(agentId)) {
                legs.set(i, change.apply(legs.get(i)));
                r.agents = CallRecordView.write(legs);
                return;
            }
        }
    }

    private static void update(String callId, java.util.function.Consumer<CallRecord> change) {
        CallRecord r = callId == null ? null : CallRecord.findById(callId);
        if (r != null) {
            change.accept(r);
            r.updatedAt = Instant.now();
        }
    }
}
