package io.callstream.gateway;

import io.callstream.testkit.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class TelephonyGatewayFoundationTest extends ServiceFoundationContract {
    @Override
    protected String serviceName() {
        return "telephony-gateway";
    }
}
