package dev.hako.namespaces;

import dev.hako.namespaces.launch.Plan;
import java.util.List;

/**
 * A container's settings ({@link ContainerBuilder}) compiled into the ordered steps of a start: what the parent does
 * around clone3, and the child's syscalls up to execve. {@link #describe()} prints them
 * like strace output, which is the dry run and the first thing to read when a start fails.
 */
public final class LaunchPlan {

    private final Plan plan;

    LaunchPlan(Plan plan) {
        this.plan = plan;
    }

    /** The engine's plan, which the launcher carries out. */
    Plan engine() {
        return plan;
    }

    /** The spec this plan was compiled from. */
    dev.hako.namespaces.launch.LaunchSpec spec() {
        return plan.spec();
    }

    /** The parent's steps, in order, each one line. */
    public List<String> parentSteps() {
        return plan.parentSteps();
    }

    /** The child's steps, in order, each one line. */
    public List<String> childSteps() {
        return plan.childSteps();
    }

    /** Every step, parent and child, numbered like strace output. */
    public String describe() {
        return plan.describe();
    }

    @Override
    public String toString() {
        return describe();
    }
}
