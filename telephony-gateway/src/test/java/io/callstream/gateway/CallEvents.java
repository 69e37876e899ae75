package io.callstream.gateway;

import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.testkit.KafkaEvents;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The gateway tests' view of Kafka: commands in, call events out. */
final class CallEvents {
    private final KafkaEvents kafka = KafkaEvents.shared();

    /** Sends a command to the gateway; returns its command id. */
    String send(CallCommand command) {
        kafka.send(Topics.CALL_COMMANDS, EventCatalog.of(command.getClass()).type(), command.callId(), command);
        return command.commandId();
    }

    /** Waits for the CallStarted of the call placed from {@code from}. */
    CallStarted awaitStarted(String from) {
        return Json.read(kafka.awaitRecord(Topics.CALL_EVENTS, r -> CallStarted.TYPE.equals(type(r))
                && from.equals(Json.read(r.value(), CallStarted.class).from())).value(), CallStarted.class);
    }

    /** Waits for the first event of {@code type} on call {@code callId}. */
    <T> T await(String callId, Class<T> type) {
        String ceType = EventCatalog.of(type).type();
        return Json.read(kafka.awaitRecord(Topics.CALL_EVENTS, r -> callId.equals(r.key()) && ceType.equals(type(r)))
                .value(), type);
    }

    /** How many events of {@code ceType} call {@code callId} has on the topic now. */
    long count(String callId, String ceType) {
        return kafka.readToEnd(Topics.CALL_EVENTS).stream()
                .filter(r -> callId.equals(r.key()) && ceType.equals(type(r))).count();
    }

    static String type(ConsumerRecord<String, byte[]> r) {
        return KafkaEvents.header(r, CloudEventsKafka.TYPE);
    }
}
