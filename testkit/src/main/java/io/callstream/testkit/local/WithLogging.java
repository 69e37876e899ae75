package io.callstream.testkit.local;

import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import java.util.Arrays;
import java.util.logging.Level;

/**
 * Runs a main class with logging set up first: INFO and above (or the level the system property
 * {@code callstream.log.level} names: the drivers use WARNING) to standard output, Kafka's request log at WARN
 * (as in Kafka's own log4j configuration). deploy/local runs the broker ({@code kafka.Kafka}) and the
 * system-tests drivers through it. On testkit's classpath Kafka's code logs through slf4j to JBoss
 * LogManager, which nothing configures in a plain JVM (Quarkus does in the services and tests): every
 * logger is then at ALL with no handler, so the broker and the drivers' Kafka clients built every trace
 * message — the broker's request log serializes each request to JSON — and dropped it.
 * Usage: {@code WithLogging MAIN_CLASS [ARGS…]}.
 */
public final class WithLogging {
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: WithLogging MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        // JBoss LogManager as java.util.logging's manager too, before anything logs through it
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        configure(Level.parse(System.getProperty("callstream.log.level", "INFO")));
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** {@code level} and above to standard output; Kafka's request log at WARN. */
    private static void configure(Level level) {
        LogContext context = LogContext.getLogContext();
        Logger root = context.getLogger("");
        ConsoleHandler console = new ConsoleHandler(ConsoleHandler.Target.SYSTEM_OUT,
                new PatternFormatter("%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c] %s%e%n"));
        console.setAutoFlush(true);
        root.setLevel(level);
        root.addHandler(console);
        if (level.intValue() < Level.WARNING.intValue()) {
            context.getLogger("kafka.request.logger").setLevel(Level.WARNING);
        }
    }

    private WithLogging() {
    }
}
