package io.callstream.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The gateway's settings under {@code callstream.gateway.*}; listed in docs/configuration.md. */
@ConfigMapping(prefix = "callstream.gateway")
public interface GatewayConfig {

    /** {@code callstream.gateway.replica-id}: names this replica in CallStarted and its command consumer group. */
    String replicaId();

    Agi agi();

    Ami ami();

    Tts tts();

    Asr asr();

    Dial dial();

    Originate originate();

    Registry registry();

    interface Agi {
        /** {@code callstream.gateway.agi.port}: the FastAGI port Asterisk connects to. */
        @WithDefault("4573")
        int port();

        /** {@code callstream.gateway.agi.max-calls}: FastAGI connections held at once; more are refused (Asterisk falls back). */
        @WithDefault("4000")
        int maxCalls();

        /** {@code callstream.gateway.agi.io-threads}: selector threads serving the FastAGI connections. */
        @WithDefault("1")
        int ioThreads();

        /** {@code callstream.gateway.agi.handshake-timeout}: a connection that has not sent its whole {@code agi_*} environment by then is closed. */
        @WithDefault("10s")
        java.time.Duration handshakeTimeout();

        /**
         * {@code callstream.gateway.agi.idle-check-interval}: how often a call waiting for commands asks
         * CHANNEL STATUS; a safety net only, for a switch set not to send the HANGUP notice (AGISIGHUP=no)
         * while the AMI connection is also down.
         */
        @WithDefault("60s")
        java.time.Duration idleCheckInterval();
    }

    interface Ami {
        /** {@code callstream.gateway.ami.host}. */
        @WithDefault("localhost")
        String host();

        /** {@code callstream.gateway.ami.port}. */
        @WithDefault("5038")
        int port();

        /** {@code callstream.gateway.ami.username}. */
        @WithDefault("callstream")
        String username();

        /** {@code callstream.gateway.ami.password}. */
        @WithDefault("callstream")
        String password();

        /** {@code callstream.gateway.ami.reconnect-interval}: wait between tries while Asterisk is unreachable. */
        @WithDefault("2s")
        Duration reconnectInterval();
    }

    interface Tts {
        /** {@code callstream.gateway.tts.application}: the Asterisk application that speaks text, called as {@code App(text[,keys])}. */
        @WithDefault("Festival")
        String application();
    }

    interface Asr {
        /** {@code callstream.gateway.asr.setup-application}: run once per call before the first recognition. */
        @WithDefault("SpeechCreate")
        String setupApplication();

        /** {@code callstream.gateway.asr.application}: called as {@code App(prompt,timeoutSeconds)}. */
        @WithDefault("SpeechBackground")
        String application();

        /** {@code callstream.gateway.asr.result-variable}: the channel variable holding the recognised text. */
        @WithDefault("SPEECH_TEXT(0)")
        String resultVariable();
    }

    interface Dial {
        /** {@code callstream.gateway.dial.external-template}: Dial string of an outside number; {@code {number}} is replaced. */
        @WithDefault("PJSIP/{number}@carrier")
        String externalTemplate();

        /** {@code callstream.gateway.dial.extension-template}: Dial string of an extension; {@code {extension}} is replaced. */
        @WithDefault("PJSIP/{extension}")
        String extensionTemplate();
    }

    interface Originate {
        /** {@code callstream.gateway.originate.context}: dialplan context an answered originated leg runs (it calls the AGI). */
        @WithDefault("callstream-outbound")
        String context();

        /** {@code callstream.gateway.originate.extension}. */
        @WithDefault("s")
        String extension();
    }

    interface Registry {
        /** {@code callstream.gateway.registry.heartbeat-interval}: how often a replica says it is alive. */
        @WithDefault("5s")
        Duration heartbeatInterval();

        /** {@code callstream.gateway.registry.replica-timeout}: a replica silent this long is gone; its calls are ended. */
        @WithDefault("30s")
        Duration replicaTimeout();
    }
}
