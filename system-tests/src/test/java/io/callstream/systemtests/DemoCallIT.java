package io.callstream.systemtests;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code system-tests/demo-call} in the build (failsafe, after every module is packaged): the
 * shipped inbound demo flow end to end on the real local stack — pbx-simulator, telephony-gateway,
 * ivr-service, Kafka, PostgreSQL — with ivr-service killed and restarted mid-call; then a caller
 * reaches a demo agent through routing-service and agent-service and rates it. The script starts
 * and stops the stack itself; its own checks decide, this test asserts that all of them passed.
 */
class DemoCallIT {

    @Test
    void theDemoFlowRunsEndToEndAndSurvivesAnIvrServiceKill() throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the build runs in system-tests/
        Process script = new ProcessBuilder("bash", "system-tests/demo-call").directory(root.toFile())
                .redirectErrorStream(true).start();
        String output;
        try (var in = script.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends when the script does
        }
        boolean ended = script.waitFor(15, TimeUnit.MINUTES);
        System.out.println(output);
        assertTrue(ended, "demo-call did not end");
        assertEquals(0, script.exitValue(), "demo-call failed:\n" + output);
        assertTrue(output.contains("demo-call: ALL CHECKS PASSED"), output);
        assertTrue(output.contains("agent-call: ALL CHECKS PASSED"), output);
    }
}
