package io.callstream.pbx;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one simulator.
 *
 * @param amiPort         AMI listening port; 0 picks a free one
 * @param amiUsername     the AMI user the gateway logs in as
 * @param amiSecret       its secret
 * @param agiHost         where the gateway's FastAGI server listens
 * @param agiPort         its port
 * @param httpPort        transcript HTTP port; 0 picks a free one, -1 disables HTTP
 * @param agiScript       FastAGI script name in {@code agi://host:port/<script>}
 * @param agiArguments    AGI() arguments, sent as {@code agi_arg_1...}
 * @param promptDuration  how long any prompt plays
 * @param stepTimeout     default limit of a script's await steps
 * @param maxCallDuration a call still up this long after its script finished is hung up
 * @param deadAgiTimeout  how long the gateway may keep a FastAGI session open after HANGUP
 * @param trunk           endpoint inbound calls arrive on ({@code PJSIP/<trunk>-0000002a})
 */
public record SimulatorConfig(int amiPort, String amiUsername, String amiSecret, String agiHost, int agiPort,
                              int httpPort, String agiScript, List<String> agiArguments, Duration promptDuration,
                              Duration stepTimeout, Duration maxCallDuration, Duration deadAgiTimeout, String trunk) {

    public static final int DEFAULT_AMI_PORT = 5038;
    public static final int DEFAULT_AGI_PORT = 4573;
    public static final int DEFAULT_HTTP_PORT = 8090;

    public SimulatorConfig {
        Objects.requireNonNull(amiUsername, "amiUsername");
        Objects.requireNonNull(amiSecret, "amiSecret");
        Objects.requireNonNull(agiHost, "agiHost");
        if (amiPort < 0 || amiPort > 65535 || agiPort <= 0 || agiPort > 65535 || httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("bad port in " + amiPort + "/" + agiPort + "/" + httpPort);
        }
        agiScript = agiScript == null || agiScript.isBlank() ? "callstream" : agiScript;
        agiArguments = agiArguments == null ? List.of() : List.copyOf(agiArguments);
        promptDuration = promptDuration == null ? Duration.ofMillis(50) : promptDuration;
        stepTimeout = stepTimeout == null ? Duration.ofSeconds(30) : stepTimeout;
        maxCallDuration = maxCallDuration == null ? Duration.ofMinutes(10) : maxCallDuration;
        deadAgiTimeout = deadAgiTimeout == null ? Duration.ofSeconds(30) : deadAgiTimeout;
        trunk = trunk == null || trunk.isBlank() ? "trunk" : trunk;
    }

    /** The usual settings: script {@code callstream}, 50 ms prompts, 30 s step timeout. */
    public SimulatorConfig(int amiPort, String amiUsername, String amiSecret, String agiHost, int agiPort, int httpPort) {
        this(amiPort, amiUsername, amiSecret, agiHost, agiPort, httpPort, null, null, null, null, null, null, null);
    }

    public SimulatorConfig withPromptDuration(Duration d) {
        return new SimulatorConfig(amiPort, amiUsername, amiSecret, agiHost, agiPort, httpPort, agiScript, agiArguments,
                d, stepTimeout, maxCallDuration, deadAgiTimeout, trunk);
    }

    public SimulatorConfig withStepTimeout(Duration d) {
        return new SimulatorConfig(amiPort, amiUsername, amiSecret, agiHost, agiPort, httpPort, agiScript, agiArguments,
                promptDuration, d, maxCallDuration, deadAgiTimeout, trunk);
    }

    public SimulatorConfig withMaxCallDuration(Duration d) {
        return new SimulatorConfig(amiPort, amiUsername, amiSecret, agiHost, agiPort, httpPort, agiScript, agiArguments,
                promptDuration, stepTimeout, d, deadAgiTimeout, trunk);
    }

    public SimulatorConfig withDeadAgiTimeout(Duration d) {
        return new SimulatorConfig(amiPort, amiUsername, amiSecret, agiHost, agiPort, httpPort, agiScript, agiArguments,
                promptDuration, stepTimeout, maxCallDuration, d, trunk);
    }

    public SimulatorConfig withAgiScript(String script, List<String> arguments) {
        return new SimulatorConfig(amiPort, amiUsername, amiSecret, agiHost, agiPort, httpPort, script, arguments,
                promptDuration, stepTimeout, maxCallDuration, deadAgiTimeout, trunk);
    }

    public SimulatorConfig withTrunk(String endpoint) {
        return new SimulatorConfig(amiPort, amiUsername, amiSecret, agiHost, agiPort, httpPort, agiScript, agiArguments,
                promptDuration, stepTimeout, maxCallDuration, deadAgiTimeout, endpoint);
    }
}
