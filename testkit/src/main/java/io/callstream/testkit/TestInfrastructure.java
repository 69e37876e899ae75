package io.callstream.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * One real Kafka broker and one real PostgreSQL server for the whole test JVM, started on first use
 * and shared by every test class. Where they come from, first match wins:
 * <ol>
 * <li>explicit endpoints: {@code CALLSTREAM_TEST_KAFKA} (bootstrap servers) and
 * {@code CALLSTREAM_TEST_POSTGRES} (JDBC URL of a database we may create databases from, with
 * {@code CALLSTREAM_TEST_POSTGRES_USER} / {@code _PASSWORD});</li>
 * <li>Testcontainers, when a Docker engine answers;</li>
 * <li>in this JVM: a KRaft broker ({@link KafkaClusterTestKit}) and embedded PostgreSQL binaries.</li>
 * </ol>
 * Topics are created explicitly (auto-creation is off on our brokers), as Strimzi does in production.
 */
public final class TestInfrastructure {
    private static final Logger LOG = Logger.getLogger(TestInfrastructure.class.getName());
    private static TestInfrastructure instance;

    private final String kafkaBootstrapServers;
    private final String postgresAdminUrl;
    private final String postgresUser;
    private final String postgresPassword;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Set<String> databases = new HashSet<>();
    private final Set<String> topics = new HashSet<>();

    public static synchronized TestInfrastructure get() {
        if (instance == null) {
            instance = new TestInfrastructure();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "test-infrastructure-stop"));
        }
        return instance;
    }

    /** Stops what was started, in order, before the JVM exits (called when the test session closes). */
    public static synchronized void stopIfStarted() {
        if (instance != null) {
            instance.stop();
        }
    }

    private TestInfrastructure() {
        boolean docker = System.getenv("CALLSTREAM_TEST_KAFKA") == null
                || System.getenv("CALLSTREAM_TEST_POSTGRES") == null ? dockerAvailable() : false;
        try {
            kafkaBootstrapServers = startKafka(docker);
            String pgUrl = System.getenv("CALLSTREAM_TEST_POSTGRES");
            if (pgUrl != null) {
                postgresAdminUrl = pgUrl;
                postgresUser = envOr("CALLSTREAM_TEST_POSTGRES_USER", "postgres");
                postgresPassword = envOr("CALLSTREAM_TEST_POSTGRES_PASSWORD", "");
            } else if (docker) {
                PostgreSQLContainer pg = new PostgreSQLContainer("postgres:16-alpine");
                pg.start();
                started.add(pg::stop);
                postgresAdminUrl = pg.getJdbcUrl();
                postgresUser = pg.getUsername();
                postgresPassword = pg.getPassword();
            } else {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                started.add(pg);
                postgresAdminUrl = pg.getJdbcUrl("postgres", "postgres");
                postgresUser = "postgres";
                postgresPassword = "";
            }
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("cannot start the test Kafka broker and PostgreSQL: " + e.getMessage(), e);
        }
        LOG.info(() -> "test infrastructure: kafka " + kafkaBootstrapServers + ", postgres " + postgresAdminUrl);
    }

    private String startKafka(boolean docker) throws Exception {
        String explicit = System.getenv("CALLSTREAM_TEST_KAFKA");
        if (explicit != null) {
            return explicit;
        }
        if (docker) {
            KafkaContainer kafka = new KafkaContainer("apache/kafka-native:4.1.1")
                    .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
            kafka.start();
            started.add(kafka::stop);
            return kafka.getBootstrapServers();
        }
        // A broker in the test JVM must never end the JVM: Kafka halts the process on fatal errors
        // (e.g. while it is torn down at exit), which surefire reports as a crashed fork.
        org.apache.kafka.common.utils.Exit.setExitProcedure((code, message) ->
                LOG.warning("in-JVM Kafka asked to exit(" + code + "): " + message));
        org.apache.kafka.common.utils.Exit.setHaltProcedure((code, message) ->
                LOG.warning("in-JVM Kafka asked to halt(" + code + "): " + message));
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .build();
        started.add(cluster);
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster.bootstrapServers();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    public String postgresUser() {
        return postgresUser;
    }

    public String postgresPassword() {
        return postgresPassword;
    }

    /** JDBC URL of {@code name}, created on first request (a database per service, as in production). */
    public synchronized String database(String name) {
        if (databases.add(name)) {
            try {
                PostgresDatabases.ensure(postgresAdminUrl, postgresUser, postgresPassword, name, null);
            } catch (RuntimeException e) {
                databases.remove(name);
                throw e;
            }
        }
        return PostgresDatabases.urlOf(postgresAdminUrl, name);
    }

    /** Creates the shared topics, every service's dead-letter topic, and {@code extra}. */
    public synchronized void createTopics(Collection<String> extra) {
        Set<String> wanted = new HashSet<>(KafkaTopics.callstreamTopics());
        wanted.addAll(extra);
        wanted.removeAll(topics);
        if (!wanted.isEmpty()) {
            KafkaTopics.create(kafkaBootstrapServers, wanted);
            topics.addAll(wanted);
        }
    }

    private synchronized void stop() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warning("stopping test infrastructure: " + e);
            }
        }
        started.clear();
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }
}
