package io.callstream.pbx;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one scripted party experienced on a call, as a snapshot.
 *
 * @param id              simulator call id ({@code call-7})
 * @param direction       {@code inbound} (a scripted caller) or {@code outbound} (a scripted callee of an Originate)
 * @param from            calling number
 * @param to              dialled number
 * @param channel         channel name, e.g. {@code PJSIP/trunk-0000002a} (null if none was created)
 * @param uniqueId        channel unique id
 * @param prompts         every prompt heard, in order: file names, TTS text, said digits
 * @param keysSent        every key the party pressed, in order (heard or not)
 * @param speech          what the party said
 * @param applications    names of the applications the switch executed on the channel, in order
 * @param applicationRuns those executions with arguments and results
 * @param bridged         whether the party was bridged to an agent or another party
 * @param hungUpBy        {@code caller}, {@code callee}, {@code gateway} (AGI HANGUP, AMI Hangup, Hangup app),
 *                        {@code dialplan} (the FastAGI session ended or failed), {@code timeout} (an
 *                        Originate nobody answered), {@code network}, {@code shutdown}; null while up
 * @param cause           Q.850 hangup cause, -1 while the call is up
 * @param result          outcome: inbound {@code AGENT} (bridged to an agent), {@code BRIDGED} (to an
 *                        outside number), {@code COMPLETED}, {@code ABANDONED}, {@code FAILED} (a step or the
 *                        FastAGI connection failed); outbound {@code ANSWERED}, {@code BUSY}, {@code NO_ANSWER},
 *                        {@code REJECTED}, {@code CONGESTION}, {@code CANCELLED}, {@code FAILED}; null while up
 * @param error           why the script or the call failed, or null
 * @param variables       channel variables the call started with (Originate variables)
 * @param events          everything above in time order, with milliseconds since the call started
 */
public record Transcript(String id, String direction, String from, String to, String channel, String uniqueId,
                         Instant startedAt, Instant endedAt, List<String> prompts, String keysSent,
                         List<String> speech, List<String> applications, List<ApplicationRun> applicationRuns,
                         boolean bridged, String hungUpBy, int cause, String causeText, String result, String error,
                         Map<String, String> variables, List<Event> events) {

    /** One line of the transcript. {@code type}: channel, prompt, key, key-lost, speech, hold, app, dial, bridge, hangup, note, error. */
    public record Event(long atMs, String type, String detail) {
    }

    /** One application executed on the channel with its arguments and return value. */
    public record ApplicationRun(long atMs, String application, String arguments, int result) {
    }

    public boolean ended() {
        return endedAt != null;
    }

    /** The transcript as readable text, one event per line. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("=== ").append(id).append(' ').append(direction).append(' ').append(from).append(" -> ").append(to);
        if (channel != null) {
            sb.append(" (").append(channel).append(", ").append(uniqueId).append(')');
        }
        sb.append(" result=").append(result == null ? "(in progress)" : result).append('\n');
        for (Event e : events) {
            sb.append(String.format("  %+7dms  %-9s %s%n", e.atMs(), e.type(), e.detail()));
        }
        if (error != null) {
            sb.append("  error: ").append(error).append('\n');
        }
        return sb.toString();
    }
}
