package io.callstream.outbound;

import io.callstream.testkit.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OutboundServiceFoundationTest extends ServiceFoundationContract {
    @Override
    protected String serviceName() {
        return "outbound-service";
    }
}
