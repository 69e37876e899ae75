package io.callstream.agent;

import io.callstream.testkit.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class AgentServiceFoundationTest extends ServiceFoundationContract {
    @Override
    protected String serviceName() {
        return "agent-service";
    }
}
