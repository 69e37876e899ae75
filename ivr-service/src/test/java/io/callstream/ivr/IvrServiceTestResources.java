package io.callstream.ivr;

import io.callstream.testkit.CallstreamTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * The JVM's Kafka broker, this service's own database and a call-record webhook receiver, for every
 * test class of the module.
 */
@QuarkusTestResource(value = CallstreamTestResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "ivr"))
@QuarkusTestResource(value = WebhookReceiver.class, restrictToAnnotatedClass = false)
public class IvrServiceTestResources {
}
