package io.callstream.systemtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs one of system-tests' scripts from the project root, as the ITs do: its output, once it ended with 0. */
final class Scripts {

    static String run(String script) throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the build runs in system-tests/
        Process process = new ProcessBuilder("bash", script).directory(root.toFile()).redirectErrorStream(true).start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends when the script does
        }
        boolean ended = process.waitFor(15, TimeUnit.MINUTES);
        System.out.println(output);
        assertTrue(ended, script + " did not end");
        assertEquals(0, process.exitValue(), script + " failed:\n" + output);
        return output;
    }

    private Scripts() {
    }
}
