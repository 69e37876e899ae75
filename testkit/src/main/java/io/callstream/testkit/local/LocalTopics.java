package io.callstream.testkit.local;

import io.callstream.testkit.KafkaTopics;

/** deploy/local: creates Callstream's topics on the standalone broker. Usage: {@code LocalTopics BOOTSTRAP}. */
public final class LocalTopics {
    public static void main(String[] args) {
        KafkaTopics.create(args[0], KafkaTopics.callstreamTopics());
        System.out.println("topics ready: " + KafkaTopics.callstreamTopics());
    }

    private LocalTopics() {
    }
}
