package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * CPU and memory-node placement: {@code cpuset.cpus} and {@code cpuset.mems}, same names
 * in both versions, values in the kernel's list format ({@link IndexList}).
 *
 * <p>That the CPUs are online is checked by {@link Cgroup#apply} against
 * {@code /sys/devices/system/cpu/online}. See
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#cpuset-interface-files">cpuset interface files</a>.
 *
 * <p>Built from {@link CpusetSpec#cpus(String)} and {@code with...} copies, so that
 * more cpuset files can be supported without breaking callers.
 */
public final class CpusetSpec implements ControllerSpec {
    private final IndexList cpus;
    private final IndexList mems;

    private CpusetSpec(IndexList cpus, IndexList mems) {
        this.cpus = cpus;
        this.mems = mems;
    }

    /** {@return the CPUs, or null to leave them} */
    public IndexList cpus() {
        return cpus;
    }

    /** {@return the memory nodes, or null to leave them} */
    public IndexList mems() {
        return mems;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpusetSpec other && Objects.equals(cpus, other.cpus)
                && Objects.equals(mems, other.mems);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cpus, mems);
    }

    @Override
    public String toString() {
        return "CpusetSpec[" + "cpus=" + cpus + ", "
                + "mems=" + mems + "]";
    }

    /**
     * A spec setting only the CPUs.
     *
     * @param cpus in list format, e.g. {@code "0-1"}
     * @return the spec
     * @throws CgroupFormatException for a malformed list
     */
    public static CpusetSpec cpus(String cpus) {
        return new CpusetSpec(IndexList.parse(cpus), null);
    }

    /**
     * This spec with the memory nodes set.
     *
     * @param mems in list format, e.g. {@code "0"}
     * @return a new spec
     */
    public CpusetSpec withMems(String mems) {
        return new CpusetSpec(cpus, IndexList.parse(mems));
    }

    @Override
    public Controller controller() {
        return Controller.CPUSET;
    }

    @Override
    public List<Setting> render(CgroupVersion version) {
        List<Setting> out = new ArrayList<>();
        // v1 attaches nothing to a cpuset with no CPUs or nodes (ENOSPC); v2 reads empty as "inherit".
        if (version == CgroupVersion.V1 && ((cpus != null && cpus.isEmpty()) || (mems != null && mems.isEmpty()))) {
            throw new InvalidSpecException("an empty cpuset.cpus or cpuset.mems is not allowed on cgroup v1: "
                    + "no task could be attached to the group");
        }
        // mems first: a v1 cpuset needs both before anything attaches, order otherwise free.
        if (mems != null) {
            out.add(new Setting(Controller.CPUSET, "cpuset.mems", mems.toString()));
        }
        if (cpus != null) {
            out.add(new Setting(Controller.CPUSET, "cpuset.cpus", cpus.toString()));
        }
        return out;
    }
}
