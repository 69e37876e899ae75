package io.callstream.gateway;

import io.callstream.pbx.PbxSimulator;
import io.callstream.pbx.SimulatorConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

/** The switch for the gateway's tests: a pbx-simulator speaking real AMI and FastAGI on local ports. */
public class PbxSimulatorResource implements QuarkusTestResourceLifecycleManager {
    public static final String AMI_USER = "callstream";
    public static final String AMI_SECRET = "test-secret";
    private static PbxSimulator simulator;

    public static PbxSimulator simulator() {
        return simulator;
    }

    @Override
    public Map<String, String> start() {
        int agiPort = freePort();
        simulator = PbxSimulator.start(new SimulatorConfig(0, AMI_USER, AMI_SECRET, "localhost", agiPort, -1));
        return Map.of(
                "callstream.gateway.agi.port", String.valueOf(agiPort),
                "callstream.gateway.ami.port", String.valueOf(simulator.amiPort()),
                "callstream.gateway.ami.username", AMI_USER,
                "callstream.gateway.ami.password", AMI_SECRET,
                "callstream.gateway.ami.reconnect-interval", "200ms",
                "callstream.gateway.agi.idle-check-interval", "1s",
                "callstream.gateway.agi.handshake-timeout", "2s");
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
