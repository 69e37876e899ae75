package io.callstream.systemtests;

import io.callstream.pbx.CallerScript;
import io.callstream.pbx.LoadGenerator;
import io.callstream.pbx.LoadProfile;
import io.callstream.pbx.LoadReport;
import io.callstream.pbx.PbxSimulator;
import io.callstream.pbx.SimulatorConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a running telephony-gateway (a real process, e.g. from deploy/local/up) through pbx-simulator
 * — calls at a steady rate, each greeted, asked for a key and held until a stand-in IVR hangs it up —
 * and prints what the gateway did: errors, peak concurrent calls, its per-command overhead (its own
 * timers, read from /q/metrics), RSS, threads and open files during the run and after it.
 *
 * <pre>java -cp … io.callstream.systemtests.GatewayLoadBenchmark key=value …</pre>
 * keys: kafka (localhost:9092), agi-port (4573), ami-port (5038) — comma-separated lists for several
 * gateway replicas, one simulator each — ami-user (callstream), ami-secret
 * (callstream), http-port (8081, the gateway's), pid (the gateway's process id), cps (100),
 * arrivals-seconds (30), hold-seconds (20).
 */
public final class GatewayLoadBenchmark {

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("kafka", "localhost:9092", "agi-port", "4573", "ami-port", "5038",
                "ami-user", "callstream", "ami-secret", "callstream", "http-port", "8081", "cps", "100",
                "arrivals-seconds", "30", "hold-seconds", "20"));
        for (String kv : argv) {
            String[] p = kv.split("=", 2);
            a.put(p[0], p[1]);
        }
        long pid = Long.parseLong(a.get("pid"));
        double cps = Double.parseDouble(a.get("cps"));
        int arrivals = Integer.parseInt(a.get("arrivals-seconds"));
        Duration hold = Duration.ofSeconds(Long.parseLong(a.get("hold-seconds")));
        int calls = (int) (cps * arrivals);
        String metrics = "http://localhost:" + a.get("http-port") + "/q/metrics";

        Sample baseline = Sample.of(pid);
        System.out.printf("gateway pid %d before: %s%n", pid, baseline);

        String[] agiPorts = a.get("agi-port").split(",");
        String[] amiPorts = a.get("ami-port").split(",");
        java.util.List<PbxSimulator> sims = new java.util.ArrayList<>();
        for (int i = 0; i < agiPorts.length; i++) {
            sims.add(PbxSimulator.start(new SimulatorConfig(Integer.parseInt(amiPorts[i]), a.get("ami-user"),
                    a.get("ami-secret"), "localhost", Integer.parseInt(agiPorts[i]), -1)
                    .withMaxCallDuration(hold.plusSeconds(120))));
        }
        StandInIvr ivr = new StandInIvr(a.get("kafka"), hold);
        Thread sampler;
        AtomicLong maxRss = new AtomicLong(baseline.rssKb);
        AtomicLong maxThreads = new AtomicLong(baseline.threads);
        AtomicLong maxFds = new AtomicLong(baseline.fds);
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Sample s = Sample.of(pid);
                    maxRss.accumulateAndGet(s.rssKb, Math::max);
                    maxThreads.accumulateAndGet(s.threads, Math::max);
                    maxFds.accumulateAndGet(s.fds, Math::max);
                    Thread.sleep(500); // sampling period of the measurement itself
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    return;
                }
            }
        }, "gateway-sampler");
        sampler.setDaemon(true);
        sampler.start();

        System.out.printf("placing %d calls at %.0f/s through %d switch(es), each held %ds ...%n", calls, cps, sims.size(),
                hold.toSeconds());
        java.util.List<LoadReport> reports = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.List<Thread> generators = new java.util.ArrayList<>();
        for (int i = 0; i < sims.size(); i++) {
            PbxSimulator sim = sims.get(i);
            CallerScript template = CallerScript.from("13" + i + "0{n:7}").to("4001")
                    .awaitPrompt("Welcome").awaitPrompt("Press 1").press("1").awaitEnd(hold.plusSeconds(90));
            int share = calls / sims.size();
            Thread g = new Thread(() -> reports.add(LoadGenerator.run(sim, template, new LoadProfile(share,
                    cps / sims.size(), Duration.ofSeconds(arrivals + 5), share, hold.plusSeconds(120)))));
            g.start();
            generators.add(g);
        }
        for (Thread g : generators) {
            g.join();
        }
        String gatewayMetrics = fetch(metrics);
        sampler.interrupt();

        // after the run: the gateway should give back what the calls took
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Sample after = Sample.of(pid);
        while (System.nanoTime() < deadline && (after.fds > baseline.fds + 20 || after.threads > baseline.threads + 40)) {
            Thread.sleep(1000); // waiting for the gateway's pool threads to time out
            after = Sample.of(pid);
        }
        ivr.close();
        sims.forEach(PbxSimulator::close);

        System.out.println();
        reports.forEach(r -> System.out.println(r.render()));
        int failed = reports.stream().mapToInt(LoadReport::failed).sum();
        int placed = reports.stream().mapToInt(LoadReport::started).sum();
        System.out.printf("gateway replicas that took calls: %d%n", ivr.replicasSeen());
        System.out.printf("stand-in IVR: %d calls started, %d ended (%d by our hang-up), peak %d calls live at once,"
                        + " %d command failures%n", ivr.started.get(), ivr.ended.get(), ivr.endedBySystem.get(),
                ivr.maxLive.get(), ivr.commandFailures.get());
        ivr.failures.forEach((what, call) -> System.out.println("  problem: " + what + " (e.g. call " + call + ")"));
        System.out.printf("gateway command dispatch (Kafka record taken -> first AGI line written): p50 %s ms, p99 %s ms%n",
                quantile(gatewayMetrics, "callstream_gateway_command_dispatch_seconds", "0.5"),
                quantile(gatewayMetrics, "callstream_gateway_command_dispatch_seconds", "0.99"));
        System.out.printf("gateway event hand-off (result decided -> record handed to the Kafka producer): p50 %s ms, p99 %s ms%n",
                quantile(gatewayMetrics, "callstream_gateway_event_handoff_seconds", "0.5"),
                quantile(gatewayMetrics, "callstream_gateway_event_handoff_seconds", "0.99"));
        System.out.printf("gateway peak during the run: RSS %d MiB, %d threads, %d open files%n",
                maxRss.get() / 1024, maxThreads.get(), maxFds.get());
        System.out.printf("gateway after the run:  %s%n", after);
        boolean ok = ivr.failures.isEmpty() && failed == 0 && ivr.ended.get() == ivr.started.get()
                && ivr.started.get() == placed && ivr.replicasSeen() == sims.size() && after.fds <= baseline.fds + 20;
        System.out.println(ok ? "gateway-load: no errors" : "gateway-load: ERRORS (see above)");
        System.exit(ok ? 0 : 1);
    }

    /** A Prometheus summary quantile in milliseconds (the timers publish seconds). */
    static String quantile(String metrics, String name, String q) {
        Matcher m = Pattern.compile("^" + name + "\\{[^}]*quantile=\"" + Pattern.quote(q) + "\"[^}]*} ([0-9.Ee+-]+)",
                Pattern.MULTILINE).matcher(metrics);
        return m.find() ? String.format("%.3f", Double.parseDouble(m.group(1)) * 1000) : "n/a";
    }

    private static String fetch(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    record Sample(long rssKb, long threads, long fds) {
        static Sample of(long pid) throws IOException {
            long rss = 0;
            long threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            long fds;
            try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = list.count();
            }
            return new Sample(rss, threads, fds);
        }

        @Override
        public String toString() {
            return String.format("RSS %d MiB, %d threads, %d open files", rssKb / 1024, threads, fds);
        }
    }

    private GatewayLoadBenchmark() {
    }
}
