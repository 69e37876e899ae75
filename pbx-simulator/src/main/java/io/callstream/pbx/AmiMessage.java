package io.callstream.pbx;

import java.util.ArrayList;
import java.util.List;

/** An outgoing AMI packet: {@code Key: Value} lines in order, ended by an empty line. */
final class AmiMessage {
    private final List<String[]> fields = new ArrayList<>();

    static AmiMessage response(String response, String actionId) {
        AmiMessage m = new AmiMessage().add("Response", response);
        if (actionId != null && !actionId.isEmpty()) {
            m.add("ActionID", actionId);
        }
        return m;
    }

    static AmiMessage success(String actionId, String message) {
        AmiMessage m = response("Success", actionId);
        return message == null ? m : m.add("Message", message);
    }

    static AmiMessage error(String actionId, String message) {
        return response("Error", actionId).add("Message", message);
    }

    /** An event broadcast to logged-in sessions. */
    static AmiMessage event(String name, String privilege) {
        return new AmiMessage().add("Event", name).add("Privilege", privilege);
    }

    /** An event answering an action (list items): carries the action's ActionID, no Privilege. */
    static AmiMessage listEvent(String name, String actionId) {
        AmiMessage m = new AmiMessage().add("Event", name);
        if (actionId != null && !actionId.isEmpty()) {
            m.add("ActionID", actionId);
        }
        return m;
    }

    AmiMessage add(String key, Object value) {
        fields.add(new String[] {key, clean(value == null ? "" : String.valueOf(value))});
        return this;
    }

    /** The channel snapshot fields Asterisk 20 puts in channel events, optionally prefixed ({@code Dest}). */
    AmiMessage channel(String prefix, Channel c) {
        Channel.State s = c.state;
        add(prefix + "Channel", c.name);
        add(prefix + "ChannelState", s.code);
        add(prefix + "ChannelStateDesc", s.description);
        add(prefix + "CallerIDNum", orUnknown(c.callerNum));
        add(prefix + "CallerIDName", orUnknown(c.callerName));
        add(prefix + "ConnectedLineNum", orUnknown(c.connectedNum));
        add(prefix + "ConnectedLineName", orUnknown(c.connectedName));
        add(prefix + "Language", "en");
        add(prefix + "AccountCode", "");
        add(prefix + "Context", c.context == null ? "default" : c.context);
        add(prefix + "Exten", c.exten == null ? "s" : c.exten);
        add(prefix + "Priority", c.priority);
        add(prefix + "Uniqueid", c.uniqueId);
        add(prefix + "Linkedid", c.linkedId);
        return this;
    }

    String get(String key) {
        for (String[] f : fields) {
            if (f[0].equalsIgnoreCase(key)) {
                return f[1];
            }
        }
        return null;
    }

    String wire() {
        StringBuilder sb = new StringBuilder(64 + fields.size() * 32);
        for (String[] f : fields) {
            sb.append(f[0]).append(": ").append(f[1]).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @Override
    public String toString() {
        return wire();
    }

    private static String orUnknown(String s) {
        return s == null || s.isEmpty() ? "<unknown>" : s;
    }

    /** A value must not break the framing. */
    private static String clean(String s) {
        return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace('\r', ' ').replace('\n', ' ');
    }
}
