package dev.hako.checkpoint.internal;

import java.io.IOException;

/**
 * Counts the steps of a restore and, for failure-injection tests, fails at a chosen one,
 * so a test can prove that a restore failing anywhere leaves nothing behind.
 */
public final class Steps {

    private final int failAt;
    private int reached;

    /** @param failAt the step that fails (0 is the first), or -1 for none */
    public Steps(int failAt) {
        this.failAt = failAt;
    }

    /** Marks the start of a step; throws if it is the one to fail. */
    public void reach(String what) throws IOException {
        int index = reached++;
        if (index == failAt) {
            throw new IOException("injected failure at restore step " + index + " (" + what + ")");
        }
    }

    /** How many steps were reached. */
    public int reached() {
        return reached;
    }
}
