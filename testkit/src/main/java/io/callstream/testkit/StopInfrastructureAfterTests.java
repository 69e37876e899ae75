package io.callstream.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the test broker and database when the JUnit session ends — after every test class, and after
 * Quarkus stopped the application — instead of in a JVM shutdown hook racing everything else.
 */
public class StopInfrastructureAfterTests implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        TestInfrastructure.stopIfStarted();
    }
}
