package dev.hako.testing;

/**
 * JUnit tag names with a meaning for the build.
 *
 * <p>{@link #GUEST}: the test runs everywhere, and the guest runs it too.
 *
 * <p>{@link #CGROUP2}: the test needs cgroup v2 controllers. The parent pom excludes the
 * tag on machines without a unified hierarchy at /sys/fs/cgroup (profile
 * {@code no-unified-cgroup}), and the cgroup v2 guest stage ({@code .ci/v2-guest/run})
 * runs it; the guest's selection lives in {@code .ci/v2-guest/selection}.
 */
public final class Tags {
    /** Needs cgroup v2 controllers; runs in the v2 guest on hybrid or v1 machines. */
    public static final String CGROUP2 = "cgroup2";

    /**
     * Runs on the host and also in the v2 guest, whose older kernel (6.1) and pure v2
     * layout exercise the feature probe's fallbacks and CLONE_INTO_CGROUP with controllers.
     */
    public static final String GUEST = "guest";

    private Tags() {
    }
}
