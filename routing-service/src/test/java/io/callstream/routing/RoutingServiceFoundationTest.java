package io.callstream.routing;

import io.callstream.testkit.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RoutingServiceFoundationTest extends ServiceFoundationContract {
    @Override
    protected String serviceName() {
        return "routing-service";
    }
}
