package io.callstream.systemtests;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code system-tests/routing-replicas} in the build (failsafe, after every module is packaged):
 * three routing-service processes on one database with the real agent-service, Kafka and PostgreSQL,
 * 300 calls over 60 agents in 6 overlapping skill groups, agents changing state at random, and one
 * routing process killed (SIGKILL) part-way. The script starts and stops the stack itself; its own
 * checks decide (no double assignment, every call connected or gone with a reason, nothing left
 * reserved or queued, the survivors took the killed process's partitions), this test asserts that all
 * of them passed.
 */
class RoutingReplicasIT {

    @Test
    void threeRoutingProcessesNeverDoubleBookAndTwoTakeOverFromAKilledOne() throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the build runs in system-tests/
        Process script = new ProcessBuilder("bash", "system-tests/routing-replicas").directory(root.toFile())
                .redirectErrorStream(true).start();
        String output;
        try (var in = script.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends when the script does
        }
        boolean ended = script.waitFor(15, TimeUnit.MINUTES);
        System.out.println(output);
        assertTrue(ended, "routing-replicas did not end");
        assertEquals(0, script.exitValue(), "routing-replicas failed:\n" + output);
        assertTrue(output.contains("routing-replicas: ALL CHECKS PASSED"), output);
    }
}
