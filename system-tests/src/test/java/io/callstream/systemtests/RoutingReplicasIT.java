package io.callstream.systemtests;

import org.junit.jupiter.api.Test;

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
    void threeRoutingProcessesNeverDoubleBookAndTwoTakeOverFromAKilledOne() throws Exception {
        String output = Scripts.run("system-tests/routing-replicas");
        assertTrue(output.contains("routing-replicas: ALL CHECKS PASSED"), output);
    }
}
