package io.callstream.gateway;

import io.callstream.testkit.CallstreamTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** The JVM's Kafka broker and this service's own database, for every test class of the module. */
@QuarkusTestResource(value = CallstreamTestResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "gateway"))
@QuarkusTestResource(value = PbxSimulatorResource.class, restrictToAnnotatedClass = false)
public class TelephonyGatewayTestResources {
}
