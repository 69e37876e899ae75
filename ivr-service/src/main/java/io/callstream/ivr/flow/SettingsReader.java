package io.callstream.ivr.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one node's settings for {@link FlowValidator}: each getter checks a field's type and range
 * and records what is wrong (with the node and field) instead of stopping at the first problem;
 * {@link #finish()} reports every setting nobody asked for as unknown.
 */
final class SettingsReader {
    static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");
    static final Pattern DTMF_KEY = Pattern.compile("[0-9*#]");

    private final String node;
    private final JsonNode settings;
    private final List<FlowError> errors;
    private final Set<String> read = new HashSet<>();

    SettingsReader(String node, JsonNode settings, List<FlowError> errors) {
        this.node = node;
        this.errors = errors;
        if (settings != null && !settings.isNull() && !settings.isObject()) {
            error("settings", "must be an object");
            this.settings = NullNode.getInstance();
        } else {
            this.settings = settings == null ? NullNode.getInstance() : settings;
        }
    }

    String node() {
        return node;
    }

    void error(String field, String message) {
        errors.add(new FlowError(node, field, message));
    }

    /** The raw value (or null when absent), marked as known. */
    JsonNode raw(String field) {
        read.add(field);
        JsonNode v = settings.get(field);
        return v == null || v.isNull() ? null : v;
    }

    /** All settings at once, for a node type whose settings are checked elsewhere as a whole (service hours). */
    JsonNode whole() {
        settings.fieldNames().forEachRemaining(read::add);
        return settings.isObject() ? settings : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }

    boolean has(String field) {
        return raw(field) != null;
    }

    /** A prompt: {@code {"text": "..."}} (TTS, may hold ${…}) or {@code {"audioFile": "..."}}. */
    boolean prompt(String field, boolean required) {
        JsonNode v = raw(field);
        if (v == null) {
            if (required) {
                error(field, "required");
            }
            return false;
        }
        if (!v.isObject()) {
            error(field, "must be an object with text or audioFile");
            return false;
        }
        JsonNode text = v.get("text");
        JsonNode audio = v.get("audioFile");
        for (Iterator<String> names = v.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!"text".equals(name) && !"audioFile".equals(name)) {
                error(field + "." + name, "unknown setting");
            }
        }
        if ((text == null) == (audio == null)) {
            error(field, "needs exactly one of text or audioFile");
            return false;
        }
        if (text != null) {
            if (!text.isTextual() || text.asText().isBlank()) {
                error(field + ".text", "the prompt is empty");
                return false;
            }
            String problem = Template.problem(text.asText());
            if (problem != null) {
                error(field + ".text", problem);
                return false;
            }
        } else if (!audio.isTextual() || audio.asText().isBlank()) {
            error(field + ".audioFile", "the audio file name is empty");
            return false;
        }
        return true;
    }

    String string(String field, boolean required) {
        JsonNode v = raw(field);
        if (v == null) {
            if (required) {
                error(field, "required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            error(field, "must be a non-empty string");
            return null;
        }
        return v.asText();
    }

    /** A string that may hold ${…} placeholders. */
    String template(String field, boolean required) {
        String s = string(field, required);
        if (s != null) {
            String problem = Template.problem(s);
            if (problem != null) {
                error(field, problem);
                return null;
            }
        }
        return s;
    }

    String variableName(String field, boolean required) {
        String s = string(field, required);
        if (s != null && !VARIABLE_NAME.matcher(s).matches()) {
            error(field, "'" + s + "' is not a variable name (a letter or _, then letters, digits, _ . -; at most 64)");
            return null;
        }
        return s;
    }

    Integer integer(String field, int min, int max, Integer fallback) {
        JsonNode v = raw(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            error(field, "must be a whole number from " + min + " to " + max);
            return fallback;
        }
        int n = v.asInt();
        if (n < min || n > max) {
            error(field, n + " is out of range " + min + "…" + max);
            return fallback;
        }
        return n;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = raw(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            error(field, "must be true or false");
            return fallback;
        }
        return v.asBoolean();
    }

    String oneOf(String field, Set<String> allowed, String fallback) {
        JsonNode v = raw(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual() || !allowed.contains(v.asText())) {
            error(field, "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
            return fallback;
        }
        return v.asText();
    }

    /** An object's entries (field names in order), or an empty list with an error when not an object. */
    List<Map.Entry<String, JsonNode>> object(String field, boolean required) {
        JsonNode v = raw(field);
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        if (v == null) {
            if (required) {
                error(field, "required");
            }
            return entries;
        }
        if (!v.isObject()) {
            error(field, "must be an object");
            return entries;
        }
        v.fields().forEachRemaining(entries::add);
        if (required && entries.isEmpty()) {
            error(field, "must not be empty");
        }
        return entries;
    }

    /** Every setting that no getter asked for is unknown: a typo must not pass silently. */
    void finish() {
        for (Iterator<String> names = settings.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!read.contains(name)) {
                error(name, "unknown setting");
            }
        }
    }
}
