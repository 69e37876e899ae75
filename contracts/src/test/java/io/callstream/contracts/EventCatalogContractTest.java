package io.callstream.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.callstream.contracts.call.Prompt;
import io.callstream.contracts.ivr.IvrEvent;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.IvrVariableSet;
import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.ivr.SessionOutcome;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.MissReason;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.contracts.routing.QueuePositionChanged;
import io.callstream.contracts.routing.RoutingEvent;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every registered type: its JSON matches its schema, reads back equal, and the docs list it. */
class EventCatalogContractTest {
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    @TestFactory
    Stream<DynamicTest> everyTypeSerialisesToJsonItsSchemaAcceptsAndReadsBackEqual() {
        return EventCatalog.all().stream().map(t -> DynamicTest.dynamicTest(t.type(), () -> {
            Record sample = sample(t.dataClass());
            byte[] json = Json.write(sample);
            Set<ValidationMessage> errors = schema(t).validate(Json.MAPPER.readTree(json));
            assertTrue(errors.isEmpty(), t.type() + " " + new String(json) + " → " + errors);
            assertEquals(sample, Json.read(json, t.dataClass()));
        }));
    }

    @TestFactory
    Stream<DynamicTest> everySchemaRefusesDataWithoutARequiredField() {
        return EventCatalog.all().stream().map(t -> DynamicTest.dynamicTest(t.type(), () -> {
            JsonSchema schema = schema(t);
            JsonNode required = schema.getSchemaNode().get("required");
            assertNotNull(required, t.type() + " names its required fields");
            assertFalse(required.isEmpty(), t.type() + " requires something");
            for (JsonNode field : required) {
                ObjectNode json = (ObjectNode) Json.MAPPER.readTree(Json.write(sample(t.dataClass())));
                json.remove(field.asText());
                assertFalse(schema.validate(json).isEmpty(), t.type() + " accepted data without " + field.asText());
            }
        }));
    }

    @Test
    void everyTypeHasASchemaAndNoSchemaIsOrphaned() throws IOException {
        Set<String> files;
        try (Stream<Path> list = Files.list(Path.of("src/main/resources/schemas"))) {
            files = list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        Set<String> expected = EventCatalog.all().stream().map(t -> t.type() + ".json").collect(Collectors.toSet());
        assertEquals(expected, files);
    }

    @Test
    void docsListEveryTypeWithItsTopic() throws IOException {
        String doc = Files.readString(Path.of("../docs/events.md"));
        List<String> missing = new ArrayList<>();
        for (EventType t : EventCatalog.all()) {
            if (!doc.contains("`" + t.type() + "`")) {
                missing.add(t.type());
            }
        }
        assertTrue(missing.isEmpty(), "docs/events.md does not list " + missing);
        Topics.ALL.forEach(topic -> assertTrue(doc.contains(topic), "docs/events.md does not name " + topic));
    }

    @Test
    void unknownFieldsAreIgnoredBecauseTypesGrowAdditively() {
        byte[] newer = "{\"callId\":\"c1\",\"commandId\":\"k1\",\"addedLater\":42}".getBytes();
        assertEquals(new io.callstream.contracts.call.CallAnswered("c1", "k1"),
                Json.read(newer, io.callstream.contracts.call.CallAnswered.class));
    }

    @Test
    void ivrEventsAcceptAnEmptyValueAndEmptyCollections() throws IOException {
        List<Record> edges = List.of(
                new IvrVariableSet("c1", "s1", "n1", "choice", ""),
                new TransferRequested("c1", "s1", "agent", "sales", 0, 300, null, null, "", "4001",
                        Map.of(), List.of()),
                new IvrSessionEnded("c1", "s1", SessionOutcome.COMPLETED, null, Map.of(), List.of()));
        for (Record data : edges) {
            EventType t = EventCatalog.of(data.getClass());
            byte[] json = Json.write(data);
            assertTrue(schema(t).validate(Json.MAPPER.readTree(json)).isEmpty(), t.type() + " " + new String(json));
            assertEquals(data, Json.read(json, t.dataClass()));
        }
    }

    @Test
    void routingEventsAcceptTheLowestBoundsAnEmptyCallerAndEmptyCollections() throws IOException {
        List<Record> edges = List.of(
                new CallQueued("c1", "sales", 1, Instant.parse("2025-01-31T09:15:02Z")),
                new QueuePositionChanged("c1", "sales", 1),
                new AgentOffered("c1", "sales", "a1", "", "4001", 0, Map.of(), List.of()),
                new AgentMissed("c1", "sales", "a1", MissReason.NO_ANSWER),
                new CallConnected("c1", "sales", "a1", 0),
                new QueueExited("c1", "sales", QueueExitReason.TIMEOUT, 0));
        for (Record data : edges) {
            EventType t = EventCatalog.of(data.getClass());
            byte[] json = Json.write(data);
            assertTrue(schema(t).validate(Json.MAPPER.readTree(json)).isEmpty(), t.type() + " " + new String(json));
            assertEquals(data, Json.read(json, t.dataClass()));
        }
    }

    @Test
    void routingSchemasRefuseAPositionBelowOneAndANegativeWait() throws IOException {
        List<Record> invalid = List.of(
                new CallQueued("c1", "sales", 0, Instant.parse("2025-01-31T09:15:02Z")),
                new QueuePositionChanged("c1", "sales", 0),
                new AgentOffered("c1", "sales", "a1", "", "4001", -1, Map.of(), List.of()),
                new CallConnected("c1", "sales", "a1", -1),
                new QueueExited("c1", "sales", QueueExitReason.ABANDONED, -1));
        for (Record data : invalid) {
            EventType t = EventCatalog.of(data.getClass());
            byte[] json = Json.write(data);
            assertFalse(schema(t).validate(Json.MAPPER.readTree(json)).isEmpty(), t.type() + " accepted " + new String(json));
        }
    }

    @Test
    void ivrAndRoutingEventsAreEventsOnTheirOwnTopic() {
        for (EventType t : EventCatalog.all()) {
            if (IvrEvent.class.isAssignableFrom(t.dataClass())) {
                assertEquals(Topics.IVR_EVENTS, t.topic(), t.type());
                assertEquals(EventType.Kind.EVENT, t.kind(), t.type());
            } else if (RoutingEvent.class.isAssignableFrom(t.dataClass())) {
                assertEquals(Topics.ROUTING_EVENTS, t.topic(), t.type());
                assertEquals(EventType.Kind.EVENT, t.kind(), t.type());
            } else if (t.dataClass() == io.callstream.contracts.ivr.FlowChanged.class) {
                // the one IVR event not about a call (keyed by flow id; docs/events.md says so)
                assertEquals(Topics.IVR_EVENTS, t.topic(), t.type());
            } else if (io.callstream.contracts.outbound.OutboundEvent.class.isAssignableFrom(t.dataClass())) {
                assertEquals(Topics.OUTBOUND_EVENTS, t.topic(), t.type());
                assertEquals(EventType.Kind.EVENT, t.kind(), t.type());
            } else if (t.dataClass() == io.callstream.contracts.routing.AgentViewRequested.class) {
                // the one routing event not about a call (keyed agent-view; docs/events.md says so)
                assertEquals(Topics.ROUTING_EVENTS, t.topic(), t.type());
            } else {
                assertFalse(t.topic().equals(Topics.IVR_EVENTS) || t.topic().equals(Topics.ROUTING_EVENTS),
                        t.type() + " is on " + t.topic() + " but does not implement its marker interface");
            }
        }
        assertEquals(7, EventCatalog.all().stream().filter(t -> t.topic().equals(Topics.ROUTING_EVENTS)).count());
    }

    private static JsonSchema schema(EventType t) throws IOException {
        try (InputStream in = EventCatalogContractTest.class.getClassLoader().getResourceAsStream(t.schemaResource())) {
            assertNotNull(in, "no schema at " + t.schemaResource());
            return SCHEMAS.getSchema(in);
        }
    }

    /** A fully populated instance: every component set, so every optional field is exercised too. */
    static Record sample(Class<? extends Record> type) throws ReflectiveOperationException {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = sampleValue(components[i]);
        }
        return type.getDeclaredConstructor(types).newInstance(values);
    }

    private static Object sampleValue(RecordComponent c) {
        Class<?> t = c.getType();
        String name = c.getName();
        if (t == String.class) {
            return switch (name) {
                case "terminator" -> "#";
                case "interruptedBy" -> "5";
                case "digits" -> "1234";
                case "command" -> "io.callstream.call.start-hold";
                case "key" -> "1";
                case "keys" -> "2";
                case "input" -> "4711";
                case "extension" -> "1001";
                case "kind" -> "OUTBOUND";
                default -> name + "-1";
            };
        }
        if (t == int.class || t == Integer.class) {
            return name.equals("fixedLength") ? 4 : 16;
        }
        if (t == long.class || t == Long.class) {
            return 61_000L;
        }
        if (t == boolean.class || t == Boolean.class) {
            return true;
        }
        if (t == Double.class || t == double.class) {
            return 0.87;
        }
        if (t.isEnum()) {
            return t.getEnumConstants()[t.getEnumConstants().length - 1];
        }
        if (t == Map.class) {
            return Map.of("customerName", "Ada", "orderNo", "A-17");
        }
        if (t == Prompt.class) {
            return Prompt.text("Welcome, ${customerName}");
        }
        if (t == Instant.class) {
            return Instant.parse("2025-01-31T09:15:02.123Z");
        }
        if (t == List.class && ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0] == KeyPress.class) {
            return List.of(
                    new KeyPress("menu", "Main menu", "2", Instant.parse("2025-01-31T09:15:04.500Z")),
                    new KeyPress("orderNo", null, "4711#", Instant.parse("2025-01-31T09:15:09.020Z")));
        }
        if (t == List.class && ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0]
                == io.callstream.contracts.agent.SkillAssignment.class) {
            return List.of(new io.callstream.contracts.agent.SkillAssignment("pre-sales", 1),
                    new io.callstream.contracts.agent.SkillAssignment("renewals", 3));
        }
        throw new IllegalArgumentException("no sample for " + t + " " + name);
    }
}
