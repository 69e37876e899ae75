package io.callstream.systemtests;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code system-tests/outbound-task} in the build (failsafe, after every module is packaged):
 * automatic outbound tasks on the real local stack — outbound-service, telephony-gateway, pbx-simulator
 * as the switch, ivr-service running the shipped outbound demo flow, Kafka, PostgreSQL, and a callback
 * receiver. Three callees (answers and presses 1; busy, then answers the retry; never answers) with
 * their attempts, the keys the flow collected, what the callee heard and six signed callbacks; then 60
 * callees with outbound-service killed (SIGKILL) part-way, kept down past the deadlines of the attempts
 * it had started, and started again: no callee dialed twice for one try, every attempt as the switch
 * saw it, every callee final, the task completed. The script starts and stops the stack itself; its own
 * checks decide, this test asserts that all of them passed.
 */
class OutboundTaskIT {

    @Test
    void outboundTasksDialRetryRunTheFlowCallBackAndSurviveAnOutboundServiceKill() throws Exception {
        String output = Scripts.run("system-tests/outbound-task");
        assertTrue(output.contains("outbound-task: ALL CHECKS PASSED"), output);
    }
}
