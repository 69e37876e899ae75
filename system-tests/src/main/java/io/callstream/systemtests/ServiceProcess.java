package io.callstream.systemtests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A service of the local stack (deploy/local/up) that a system test kills outright and starts again as
 * it was: the same command line, environment and working directory (read from /proc before the kill),
 * its output appended to its log, and its pid file updated so deploy/local/down stops the new process.
 */
final class ServiceProcess {
    private final ProcessHandle process;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workingDirectory;

    private ServiceProcess(ProcessHandle process, List<String> command, Map<String, String> environment, Path workingDirectory) {
        this.process = process;
        this.command = command;
        this.environment = environment;
        this.workingDirectory = workingDirectory;
    }

    /** The running process {@code pid}, with what it takes to start it again. */
    static ServiceProcess of(long pid) throws IOException {
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        List<String> command = Arrays.asList(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
                StandardCharsets.UTF_8).split("\0"));
        Map<String, String> env = new HashMap<>();
        for (String e : new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8).split("\0")) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                env.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        return new ServiceProcess(handle, command, env, Path.of("/proc/" + pid + "/cwd").toRealPath());
    }

    /** SIGKILL, and returns once the process is gone. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.onExit().get();
    }

    /** Starts the service again as it was; returns the new process. */
    Process startAgain(Path log, Path pidFile) throws IOException {
        ProcessBuilder again = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString())));
        again.environment().clear();
        again.environment().putAll(environment);
        Process started = again.start();
        Files.writeString(pidFile, started.pid() + "\n");
        return started;
    }
}
