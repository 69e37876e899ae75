package io.callstream.servicekit.consumer;

/** An event whose handler kept failing; the Kafka connector sends it to the dead-letter topic. */
public class EventProcessingException extends RuntimeException {
    public EventProcessingException(String message, Throwable cause) {
        super(message, cause);
    }
}
