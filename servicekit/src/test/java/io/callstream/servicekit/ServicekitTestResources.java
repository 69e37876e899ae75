package io.callstream.servicekit;

import io.callstream.testkit.CallstreamTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** One Kafka broker and one database for every test class of this module. */
@QuarkusTestResource(value = CallstreamTestResource.class, restrictToAnnotatedClass = false, initArgs = {
        @ResourceArg(name = "database", value = "servicekit"),
        @ResourceArg(name = "topics", value = ServicekitTestResources.WIDGET_TOPIC + "," + ServicekitTestResources.IN_TOPIC
                + "," + ServicekitTestResources.STREAM_TOPIC + ",callstream.dlq.servicekit-test")})
public class ServicekitTestResources {
    public static final String WIDGET_TOPIC = "servicekit.test.widgets";
    public static final String IN_TOPIC = "servicekit.test.in";
    public static final String STREAM_TOPIC = "servicekit.test.stream";
    public static final String DLQ_TOPIC = "callstream.dlq.servicekit-test";
}
