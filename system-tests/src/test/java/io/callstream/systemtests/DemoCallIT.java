package io.callstream.systemtests;

import org.junit.jupiter.api.Test;

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
    void theDemoFlowRunsEndToEndAndSurvivesAnIvrServiceKill() throws Exception {
        String output = Scripts.run("system-tests/demo-call");
        assertTrue(output.contains("demo-call: ALL CHECKS PASSED"), output);
        assertTrue(output.contains("agent-call: ALL CHECKS PASSED"), output);
    }
}
