package dev.hako.cgroupfs;

import java.util.List;

/**
 * The process-count limit, {@code pids.max} in both versions; see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#pid">pid controller</a>.
 *
 * @param max the most tasks (threads count) the group may hold; {@link Long#MAX_VALUE} means "max"
 */
public record PidsSpec(long max) implements ControllerSpec {
    /**
     * Checks the limit.
     *
     * @param max 0 or more
     * @throws InvalidSpecException if negative
     */
    public PidsSpec {
        if (max < 0) {
            throw new InvalidSpecException("pids max " + max + " is negative");
        }
    }

    /**
     * A limit of {@code max} tasks.
     *
     * @param max 0 or more
     * @return the spec
     */
    public static PidsSpec max(long max) {
        return new PidsSpec(max);
    }

    /** {@return a spec removing the limit} */
    public static PidsSpec unlimited() {
        return new PidsSpec(Long.MAX_VALUE);
    }

    @Override
    public Controller controller() {
        return Controller.PIDS;
    }

    @Override
    public List<Setting> render(CgroupVersion version) {
        return List.of(new Setting(Controller.PIDS, "pids.max", max == Long.MAX_VALUE ? "max" : Long.toString(max)));
    }
}
