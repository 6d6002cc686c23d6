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
 *
 * <p>{@link #CGROUP1}: the test needs cgroup v1 controllers. The parent pom excludes the
 * tag on machines without them (profile {@code no-cgroup1-controllers}), such as a pure
 * cgroup v2 host, where {@code CI=true} would otherwise fail the test's requirement.
 */
public final class Tags {
    /** Needs cgroup v2 controllers; runs in the v2 guest on hybrid or v1 machines. */
    public static final String CGROUP2 = "cgroup2";

    /** Needs cgroup v1 controllers; runs on hybrid and v1 machines (this project's CI host). */
    public static final String CGROUP1 = "cgroup1";

    /**
     * Runs on the host and also in the v2 guest, whose older kernel (6.1) and pure v2
     * layout exercise the feature probe's fallbacks and CLONE_INTO_CGROUP with controllers.
     */
    public static final String GUEST = "guest";

    private Tags() {
    }
}
