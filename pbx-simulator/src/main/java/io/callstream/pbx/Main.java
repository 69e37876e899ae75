package io.callstream.pbx;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The command line.
 *
 * <pre>
 * java -jar pbx-simulator.jar [--scenario FILE] [--ami-port 5038] [--agi localhost:4573] [--http-port 8090]
 *                             [--ami-user callstream] [--ami-secret secret] [--agi-script callstream]
 *                             [--prompt-ms 50] [--keep-running] [--quiet]
 *                             [--load [--concurrency N] [--rate CPS] [--duration SECONDS] [--max-calls N]]
 * </pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("pbx-simulator: " + e.getMessage());
            System.err.println(usage());
            code = 2;
        } catch (IOException e) {
            System.err.println("pbx-simulator: " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    static String usage() {
        return """
                usage: java -jar pbx-simulator.jar [--scenario FILE] [--ami-port 5038] [--agi HOST:PORT] [--http-port 8090]
                                                   [--ami-user callstream] [--ami-secret secret] [--agi-script callstream]
                                                   [--prompt-ms 50] [--keep-running] [--quiet]
                                                   [--load [--concurrency N] [--rate CPS] [--duration SECONDS] [--max-calls N]]
                  without callers in the scenario (or without a scenario) the simulator runs until stopped;
                  with callers it runs them, prints their transcripts and exits (unless --keep-running);
                  --load runs the scenario's load section and prints latency percentiles.""";
    }

    /** Runs the command line; returns the exit code. */
    static int run(String[] args, PrintStream out) throws IOException {
        Map<String, String> options = new TreeMap<>();
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--load", "--keep-running", "--quiet", "--help", "-h" -> flags.add(a);
                case "--scenario", "--ami-port", "--agi", "--http-port", "--ami-user", "--ami-secret", "--agi-script",
                        "--prompt-ms", "--concurrency", "--rate", "--duration", "--max-calls" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    options.put(a, args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (flags.contains("--help") || flags.contains("-h")) {
            out.println(usage());
            return 0;
        }
        Scenario scenario = null;
        if (options.containsKey("--scenario")) {
            Path file = Path.of(options.get("--scenario"));
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read scenario " + file);
            }
            scenario = Scenario.read(file);
        }
        String agi = options.getOrDefault("--agi", "localhost:" + SimulatorConfig.DEFAULT_AGI_PORT);
        int colon = agi.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--agi is HOST:PORT");
        }
        SimulatorConfig config = new SimulatorConfig(
                intOption(options, "--ami-port", SimulatorConfig.DEFAULT_AMI_PORT),
                options.getOrDefault("--ami-user", "callstream"),
                options.getOrDefault("--ami-secret", "secret"),
                agi.substring(0, colon),
                parseInt(agi.substring(colon + 1), "--agi port"),
                intOption(options, "--http-port", SimulatorConfig.DEFAULT_HTTP_PORT));
        if (options.containsKey("--agi-script")) {
            config = config.withAgiScript(options.get("--agi-script"), List.of());
        }
        if (scenario != null) {
            config = scenario.apply(config);
        }
        if (options.containsKey("--prompt-ms")) {
            config = config.withPromptDuration(Duration.ofMillis(intOption(options, "--prompt-ms", 50)));
        }
        boolean load = flags.contains("--load");
        if (load && (scenario == null || scenario.load == null)) {
            throw new IllegalArgumentException("--load needs a scenario with a load section");
        }

        PbxSimulator sim = PbxSimulator.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "pbx-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("pbx-simulator (Asterisk %s stand-in): AMI on port %d, FastAGI to agi://%s:%d/%s%s%n",
                Pbx.ASTERISK_VERSION, sim.amiPort(), config.agiHost(), config.agiPort(), config.agiScript(),
                sim.httpPort() >= 0 ? ", transcripts on http://localhost:" + sim.httpPort() + "/calls" : "");
        if (scenario != null) {
            scenario.register(sim);
        }
        if (!flags.contains("--quiet") && !load) {
            sim.onCallEnded(t -> {
                synchronized (out) {
                    out.print(t.render());
                    out.flush();
                }
            });
        }

        int code = 0;
        if (load) {
            LoadProfile p = scenario.load;
            LoadProfile profile = new LoadProfile(
                    intOption(options, "--concurrency", p.concurrency()),
                    options.containsKey("--rate") ? parseDouble(options.get("--rate"), "--rate") : p.callsPerSecond(),
                    options.containsKey("--duration")
                            ? Duration.ofMillis((long) (parseDouble(options.get("--duration"), "--duration") * 1000))
                            : p.duration(),
                    intOption(options, "--max-calls", p.maxCalls()),
                    p.drainTimeout());
            LoadReport report = LoadGenerator.run(sim, scenario.loadCaller, profile);
            out.print(report.render());
            code = report.failed() > 0 ? 1 : 0;
        } else if (scenario != null && !scenario.callers.isEmpty()) {
            code = runCallers(sim, scenario, config, out);
        } else {
            flags.add("--keep-running");
        }
        if (flags.contains("--keep-running")) {
            out.println("running; stop with Ctrl-C");
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return code;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        sim.close();
        return code;
    }

    private static int runCallers(PbxSimulator sim, Scenario scenario, SimulatorConfig config, PrintStream out) {
        List<SimCall> calls = new ArrayList<>();
        try {
            for (Scenario.CallerGroup g : scenario.callers) {
                for (int i = 0; i < g.count(); i++) {
                    if (i > 0 && !g.spacing().isZero()) {
                        TimeUnit.MILLISECONDS.sleep(g.spacing().toMillis());
                    }
                    calls.add(sim.call(g.script().withFrom(LoadGenerator.numbered(g.script().fromNumber(), calls.size() + 1))));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        Duration limit = config.maxCallDuration().plus(config.deadAgiTimeout());
        Map<String, Integer> results = new TreeMap<>();
        for (SimCall c : calls) {
            Transcript t;
            try {
                t = c.awaitEnd(limit);
            } catch (IllegalStateException e) {
                c.hangup();
                t = c.transcript();
            }
            results.merge(t.result() == null ? "UNFINISHED" : t.result(), 1, Integer::sum);
        }
        synchronized (out) {
            out.println(calls.size() + " calls: " + results);
        }
        return results.containsKey("FAILED") || results.containsKey("UNFINISHED") ? 1 : 0;
    }

    private static int intOption(Map<String, String> options, String name, int fallback) {
        String v = options.get(name);
        return v == null ? fallback : parseInt(v, name);
    }

    private static int parseInt(String v, String name) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not " + v);
        }
    }

    private static double parseDouble(String v, String name) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not " + v);
        }
    }
}
