package io.callstream.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Points a service under test at the JVM's shared Kafka broker and at its own database on the shared
 * PostgreSQL server, and makes it trust {@link TestTokens}. Arguments: {@code database} (required),
 * {@code topics} (comma-separated extra topics to create).
 */
public class CallstreamTestResource implements QuarkusTestResourceLifecycleManager {
    private String database;
    private List<String> extraTopics = List.of();

    @Override
    public void init(Map<String, String> args) {
        database = args.get("database");
        if (database == null) {
            throw new IllegalArgumentException("CallstreamTestResource needs the argument 'database'");
        }
        String topics = args.getOrDefault("topics", "");
        extraTopics = Arrays.stream(topics.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public Map<String, String> start() {
        TestInfrastructure infra = TestInfrastructure.get();
        infra.createTopics(extraTopics);
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", infra.kafkaBootstrapServers());
        config.put("quarkus.datasource.jdbc.url", infra.database(database));
        config.put("quarkus.datasource.username", infra.postgresUser());
        config.put("quarkus.datasource.password", infra.postgresPassword());
        config.put("mp.jwt.verify.publickey", TestTokens.publicKeyBase64());
        config.put("mp.jwt.verify.issuer", TestTokens.ISSUER);
        return config;
    }

    @Override
    public void stop() {
        // The broker and the database server outlive each Quarkus restart; they stop with the JVM.
    }
}
