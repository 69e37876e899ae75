package io.callstream.contracts;

/**
 * One CloudEvents type: its name ({@code ce_type}), the topic it travels on, the record that is its
 * data, and whether it reports something that happened or asks for something to be done.
 */
public record EventType(String type, String topic, Class<? extends Record> dataClass, Kind kind) {

    public enum Kind { EVENT, COMMAND }

    /** Classpath location of the JSON Schema of this type's data. */
    public String schemaResource() {
        return "schemas/" + type + ".json";
    }
}
