package io.callstream.testkit.local;

import io.callstream.contracts.Topics;
import io.callstream.testkit.PostgresDatabases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * deploy/local's PostgreSQL: the embedded binaries the tests use, on a fixed port with a data folder
 * that survives restarts, one database per service owned by the role the services log in with.
 * Runs until SIGTERM. Usage: {@code LocalPostgres PORT DATA_DIR}.
 */
public final class LocalPostgres {
    /** Database of each service, as in each service's application.properties. */
    public static final List<String> DATABASES = List.of("gateway", "ivr", "routing", "agent", "outbound");

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path data = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(data);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data.resolve("data"))
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(data.resolve("binaries").toFile())
                .setServerConfig("max_connections", "200")
                // the embedded builder turns synchronous_commit and fsync off; the local stack runs as a real
                // deployment would (a commit is on disk before it returns), so its benchmarks count that too.
                // synchronous_commit alone is not that: with fsync off a commit waits for its WAL write, never
                // for the disk (pg_stat_wal counted 0 syncs over a routing-load run until the nineteenth session)
                .setServerConfig("synchronous_commit", System.getenv().getOrDefault("CALLSTREAM_LOCAL_PG_SYNCHRONOUS_COMMIT", "on"))
                .setServerConfig("fsync", System.getenv().getOrDefault("CALLSTREAM_LOCAL_PG_FSYNC", "on"));
        if (Boolean.parseBoolean(System.getenv("CALLSTREAM_LOCAL_PG_STAT_STATEMENTS"))) {
            // diagnosis of a benchmark: which statements the services run, how often, how long
            // (CREATE EXTENSION pg_stat_statements in a database, as the postgres user, to read them)
            builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
            builder.setServerConfig("pg_stat_statements.track_planning", "on"); // planning time too: a custom plan per execution shows
        }
        EmbeddedPostgres pg = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (Exception e) {
                System.err.println("stopping PostgreSQL: " + e);
            }
            stopped.countDown();
        }));
        String admin = pg.getJdbcUrl("postgres", "postgres");
        PostgresDatabases.ensureRole(admin, "postgres", "", "callstream", "callstream");
        for (String db : DATABASES) {
            PostgresDatabases.ensure(admin, "postgres", "", db, "callstream");
        }
        System.out.println("PostgreSQL ready on port " + port + " with databases " + DATABASES + " (" + Topics.SERVICES.size()
                + " services)");
        stopped.await();
    }

    private LocalPostgres() {
    }
}
