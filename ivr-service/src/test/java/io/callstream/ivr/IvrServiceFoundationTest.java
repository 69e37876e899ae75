package io.callstream.ivr;

import io.callstream.testkit.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class IvrServiceFoundationTest extends ServiceFoundationContract {
    @Override
    protected String serviceName() {
        return "ivr-service";
    }
}
