package io.callstream.gateway.messaging;

import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.EventType;
import io.callstream.contracts.Json;
import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.CommandFailureReason;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.Originate;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.EventEnvelope;
import io.callstream.contracts.cloudevents.MalformedEventException;
import io.callstream.gateway.ami.AmiClient;
import io.callstream.gateway.domain.LiveCall;
import io.callstream.gateway.domain.LiveCalls;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Optional;

/**
 * Every replica reads every command (a consumer group of its own) and acts only on the calls it
 * holds: it hands the command to the call's session, which writes its first AGI line on this thread
 * if the call is idle (queues it otherwise). Nothing here touches the
 * database, so commands for other replicas' calls cost one map lookup. A command is executed once per
 * command id; one for a call that ended here gets CommandFailed(CALL_ENDED).
 */
@ApplicationScoped
public class CallCommandConsumer {
    private static final Logger LOG = Logger.getLogger(CallCommandConsumer.class);

    private final LiveCalls calls;
    private final AmiClient ami;
    private final CallEventPublisher publisher;

    CallCommandConsumer(LiveCalls calls, AmiClient ami, CallEventPublisher publisher) {
        this.calls = calls;
        this.ami = ami;
        this.publisher = publisher;
    }

    /** One record of the command topic, from {@link CommandStream}'s thread. */
    public void on(ConsumerRecord<String, byte[]> record) {
        long received = System.nanoTime();
        String callId = record.key();
        Optional<LiveCall> held = callId == null ? Optional.empty() : calls.byCallId(callId);
        if (held.isEmpty() && (callId == null || !calls.endedHere(callId))) {
            return; // another replica's call, an originate (OriginateConsumer's), or no call at all
        }
        EventEnvelope envelope;
        try {
            envelope = CloudEventsKafka.read(record);
        } catch (MalformedEventException e) {
            LOG.warnf("call %s: skipping a record that is not a command: %s", callId, e.getMessage());
            return;
        }
        if (Originate.TYPE.equals(envelope.type())) {
            return; // one replica originates: OriginateConsumer, in a shared consumer group
        }
        Optional<EventType> type = EventCatalog.byType(envelope.type())
                .filter(t -> t.kind() == EventType.Kind.COMMAND);
        CallCommand command;
        try {
            if (type.isEmpty()) {
                throw new IOException("unknown command type " + envelope.type());
            }
            command = (CallCommand) Json.MAPPER.readValue(envelope.data(), type.get().dataClass());
            if (command.commandId() == null || command.commandId().isBlank()) {
                throw new IOException("no commandId");
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("call %s: unreadable command %s (%s): %s", callId, envelope.id(), envelope.type(), e.getMessage());
            publisher.publish(new CommandFailed(callId, commandIdOf(envelope), envelope.type(),
                    CommandFailureReason.INVALID, "unreadable command: " + e.getMessage()));
            return;
        }
        if (held.isEmpty()) {
            publisher.publish(new CommandFailed(callId, command.commandId(), envelope.type(),
                    CommandFailureReason.CALL_ENDED, "the call has ended"));
            return;
        }
        LiveCall call = held.get();
        if (command instanceof HangUp && call.busy()) {
            // the call is inside Dial or GET DATA, whose reply comes only when it ends: hang the channel up out of band
            if (call.firstSight(command.commandId())) {
                call.requestHangup(command.commandId());
                if (!ami.hangup(call.channel)) {
                    call.offer(command, received); // AMI away: hang up when the current command returns
                }
            }
            return;
        }
        if (!call.offer(command, received)) {
            LOG.debugf("call %s: command %s seen before, not run again", callId, command.commandId());
        }
    }

    private static String commandIdOf(EventEnvelope envelope) {
        try {
            var node = Json.MAPPER.readTree(envelope.data()).get("commandId");
            return node != null && node.isTextual() ? node.asText() : envelope.id();
        } catch (IOException e) {
            return envelope.id();
        }
    }
}
