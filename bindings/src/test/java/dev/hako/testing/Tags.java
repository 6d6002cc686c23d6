package dev.hako.testing;

/**
 * JUnit tag names with a meaning for the build.
 *
 * <p>{@link #CGROUP2}: the test needs cgroup v2 controllers. The parent pom excludes the
 * tag on machines without a unified hierarchy at /sys/fs/cgroup (profile
 * {@code no-unified-cgroup}), and the cgroup v2 guest stage ({@code .ci/v2-guest/run})
 * runs it; the guest's selection lives in {@code .ci/v2-guest/selection}.
 */
public final class Tags {
    /** Needs cgroup v2 controllers; runs in the v2 guest on hybrid or v1 machines. */
    public static final String CGROUP2 = "cgroup2";

    private Tags() {
    }
}
