package io.callstream.systemtests;

import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What another JVM of the benchmark (a service, the broker) spends besides the work measured: its JIT
 * compilers' time and its collectors' time, read over JMX from its local management agent (started by
 * attaching once). A benchmark reads both at the start and the end of its window: a JVM still compiling
 * its hot paths is not in its steady state yet, and on two cores its compiler threads take CPU from
 * everything measured.
 */
final class JvmWatch implements AutoCloseable {
    private final JMXConnector connector;
    private final CompilationMXBean compilation;
    private final List<GarbageCollectorMXBean> collectors;

    private JvmWatch(JMXConnector connector, CompilationMXBean compilation, List<GarbageCollectorMXBean> collectors) {
        this.connector = connector;
        this.compilation = compilation;
        this.collectors = collectors;
    }

    /** Attaches to {@code pid} (same user) and connects to its management agent; null if that is not possible. */
    static JvmWatch attach(long pid) {
        try {
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            MBeanServerConnection server = connector.getMBeanServerConnection();
            CompilationMXBean compilation = ManagementFactory.newPlatformMXBeanProxy(server,
                    ManagementFactory.COMPILATION_MXBEAN_NAME, CompilationMXBean.class);
            List<GarbageCollectorMXBean> collectors = ManagementFactory.getPlatformMXBeans(server, GarbageCollectorMXBean.class);
            return new JvmWatch(connector, compilation, collectors);
        } catch (Exception e) {
            System.out.printf("  (cannot watch JVM %d's compiler and collector: %s)%n", pid, e);
            return null;
        }
    }

    /** Time its JIT compiler threads have spent compiling since it started, in ms (summed over the threads). */
    long compileMillis() {
        return compilation.getTotalCompilationTime();
    }

    /** Time its collectors have spent, in ms: for the stop-the-world collectors used here, its pauses. */
    long gcMillis() {
        return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** {@link #compileMillis()} of each, 0 for one not watched (null). */
    static long[] compileMillis(JvmWatch... jvms) {
        return java.util.Arrays.stream(jvms).mapToLong(j -> j == null ? 0 : j.compileMillis()).toArray();
    }

    /** {@link #gcMillis()} of each, 0 for one not watched (null). */
    static long[] gcMillis(JvmWatch... jvms) {
        return java.util.Arrays.stream(jvms).mapToLong(j -> j == null ? 0 : j.gcMillis()).toArray();
    }

    /**
     * Whether a benchmark's JVMs are still compiling their hot paths: {@link #stillCompiling} says whether any of
     * them compiled more than {@code settledMs} since the previous call (the first: since this was made). A
     * benchmark asks every 5 s of its warm-up and goes on warming up while the answer is yes.
     */
    static final class Settling {
        private final long settledMs;
        private final JvmWatch[] jvms;
        private long[] before;

        Settling(long settledMs, JvmWatch... jvms) {
            this.settledMs = settledMs;
            this.jvms = jvms;
            this.before = compileMillis(jvms);
        }

        boolean stillCompiling() {
            long[] now = compileMillis(jvms);
            boolean compiling = false;
            for (int i = 0; i < now.length; i++) {
                compiling |= now[i] - before[i] > settledMs;
            }
            before = now;
            return compiling;
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (java.io.IOException ignored) {
            // the JVM may be gone already
        }
    }
}
