package dev.hako.namespaces.launch;

/**
 * How long the clone3 child's row loop may run before the JIT's code would reach a
 * safepoint poll, read from this JVM's flags. A poll is harmless unless the JVM armed it at
 * the moment of the fork; then the child blocks on it forever, since no VM thread exists
 * there to end the safepoint. With {@code -XX:+UseCountedLoopSafepoints} (the default with
 * G1, ZGC and Shenandoah) C2 strip-mines a counted loop and polls once every
 * {@code -XX:LoopStripMiningIter} iterations (1000 by default); without it (Serial,
 * Parallel) a counted loop has no poll.
 */
public final class LoopPolls {

    /** Iterations kept in hand below the first poll. */
    private static final int MARGIN = 40;
    /** The limit when C2 is on its defaults. */
    static final int DEFAULT_LIMIT = 960;

    /** Iterations the row loop may run; at most {@link #DEFAULT_LIMIT}. */
    static final int ITERATION_LIMIT;
    /** Whether counted loops poll at every iteration (strip mining off, polls on): no loop is safe then. */
    static final boolean EVERY_ITERATION;
    /**
     * Whether this JVM compiles with C1 at most ({@code -XX:TieredStopAtLevel} below 4 with
     * tiered compilation, common in IDEs): C1 polls for safepoints on every loop back-edge,
     * so the row loop is never safe in a forked copy of it.
     */
    static final boolean C1_AT_MOST;

    static {
        String polls = vmOption("UseCountedLoopSafepoints");
        String strip = vmOption("LoopStripMiningIter");
        boolean countedLoopPolls = "true".equals(polls);
        long stripMining = strip == null ? 1000 : Long.parseLong(strip);
        ITERATION_LIMIT = limitFor(countedLoopPolls, stripMining);
        EVERY_ITERATION = countedLoopPolls && stripMining == 0;
        String tiered = vmOption("TieredCompilation");
        String stopAt = vmOption("TieredStopAtLevel");
        C1_AT_MOST = c1AtMost("true".equals(tiered), stopAt == null ? 4 : Long.parseLong(stopAt));
    }

    /** Whether these flags leave C2 out: tiered compilation that stops below level 4. */
    static boolean c1AtMost(boolean tieredCompilation, long tieredStopAtLevel) {
        return tieredCompilation && tieredStopAtLevel < 4;
    }

    /**
     * Refuses to fork this JVM when its code would poll in the child (see {@link #C1_AT_MOST}).
     *
     * @throws java.io.IOException naming the flag and the way out
     */
    static void requireC2ForInProcessStarts(boolean c1AtMost) throws java.io.IOException {
        if (c1AtMost) {
            throw new java.io.IOException("this JVM compiles with C1 at most (-XX:TieredStopAtLevel below 4), whose code"
                    + " polls for safepoints on every loop back-edge; a forked copy of it that met a poll armed at the"
                    + " fork would hang, so it does not fork itself. Start through the launch server, which chooses its"
                    + " own flags: ContainerBuilder.launcher(Launchers.server()) or -Dhako.launcher=server");
        }
    }

    private LoopPolls() {
    }

    /**
     * The iteration limit for these flags: the default when counted loops have no poll or
     * the first comes after 1000 iterations or more, else that many less a margin (never
     * below zero; 0 when strip mining is off and polls are on).
     */
    static int limitFor(boolean countedLoopPolls, long stripMiningIter) {
        if (!countedLoopPolls || stripMiningIter >= DEFAULT_LIMIT + MARGIN) {
            return DEFAULT_LIMIT;
        }
        return (int) Math.max(0, stripMiningIter - MARGIN);
    }

    /** A HotSpot flag's value, or null when this VM does not say (then the defaults are assumed). */
    private static String vmOption(String name) {
        try {
            var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            Object option = server.invoke(new javax.management.ObjectName("com.sun.management:type=HotSpotDiagnostic"),
                    "getVMOption", new Object[] {name}, new String[] {String.class.getName()});
            return String.valueOf(((javax.management.openmbean.CompositeData) option).get("value"));
        } catch (Exception | LinkageError e) {
            return null;
        }
    }
}
