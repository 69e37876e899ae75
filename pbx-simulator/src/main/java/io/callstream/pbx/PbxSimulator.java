package io.callstream.pbx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * An Asterisk 20 stand-in: an AMI server the gateway logs into, and the switch side of FastAGI
 * sessions it opens to the gateway for scripted callers and answered Originates.
 *
 * <pre>
 * PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "callstream", "secret", "localhost", 4573, -1));
 * sim.agent("PJSIP/1001", AgentBehavior.answerAfter(Duration.ofMillis(100)).talkFor(Duration.ofMillis(300)));
 * SimCall call = sim.call(CallerScript.from("13800000000").to("4001").awaitPrompt("Welcome").press("12#").awaitEnd());
 * call.awaitEnd(Duration.ofSeconds(10));
 * sim.close();
 * </pre>
 */
public final class PbxSimulator implements AutoCloseable {
    private final Pbx pbx;
    private final TranscriptHttpServer http;

    private PbxSimulator(Pbx pbx, TranscriptHttpServer http) {
        this.pbx = pbx;
        this.http = http;
    }

    /** Starts the AMI server (and the HTTP server unless its port is -1). */
    public static PbxSimulator start(SimulatorConfig config) {
        Pbx pbx = new Pbx(config);
        try {
            pbx.startAmi();
            TranscriptHttpServer http = config.httpPort() >= 0 ? new TranscriptHttpServer(pbx, config.httpPort()) : null;
            return new PbxSimulator(pbx, http);
        } catch (IOException e) {
            pbx.close();
            throw new UncheckedIOException("cannot start the simulator: " + e.getMessage(), e);
        }
    }

    public SimulatorConfig config() {
        return pbx.config();
    }

    public int amiPort() {
        return pbx.amiPort();
    }

    /** The HTTP port, or -1 without HTTP. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** How the endpoint ({@code PJSIP/1001}) behaves when dialled; replaces an earlier behaviour. */
    public PbxSimulator agent(String endpoint, AgentBehavior behavior) {
        pbx.agent(endpoint, behavior);
        return this;
    }

    /**
     * How the outside number behaves when called (see {@link CalleeBehavior#followedBy} for a number that
     * behaves differently on later calls); replaces an earlier behaviour and starts its sequence over.
     */
    public PbxSimulator callee(String number, CalleeBehavior behavior) {
        pbx.callee(number, behavior);
        return this;
    }

    /** Places an inbound call from the scripted caller; returns at once. */
    public SimCall call(CallerScript script) {
        return pbx.call(script);
    }

    /** Every call so far, in the order they started. */
    public List<SimCall> calls() {
        return pbx.calls();
    }

    /** Calls from or to that number (callers and Originate callees). */
    public List<SimCall> callsFor(String number) {
        return pbx.calls().stream().filter(c -> number.equals(c.from()) || number.equals(c.to())).toList();
    }

    /** Transcripts of every call so far (finished or not). */
    public List<Transcript> transcripts() {
        return pbx.calls().stream().map(SimCall::transcript).toList();
    }

    /** Runs {@code listener} with each call's final transcript when it ends. */
    public void onCallEnded(Consumer<Transcript> listener) {
        pbx.onCallEnded(listener);
    }

    /** Names of the channels that exist now (what CoreShowChannels lists). */
    public List<String> liveChannels() {
        return pbx.liveChannels().stream().map(c -> c.name).toList();
    }

    /** Closes every AMI client connection abruptly, as a network drop would; the server keeps listening. */
    public void dropAmiConnections() {
        pbx.ami().dropConnections();
    }

    /**
     * Writes {@code text} unchanged to every logged-in AMI client: garbage, truncated packets or events
     * no Asterisk version sends, to test how a client copes. Not something Asterisk does.
     */
    public void sendRawAmi(String text) {
        pbx.ami().broadcastRaw(text);
    }

    /** Ends every call and stops all servers and threads. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        pbx.close();
    }
}
