package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.List;

/**
 * CPU and memory-node placement: {@code cpuset.cpus} and {@code cpuset.mems}, same names
 * in both versions, values in the kernel's list format ({@link IndexList}).
 *
 * <p>That the CPUs are online is checked by {@link Cgroup#apply} against
 * {@code /sys/devices/system/cpu/online}. See
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#cpuset-interface-files">cpuset interface files</a>.
 *
 * @param cpus the CPUs, or null to leave them
 * @param mems the memory nodes, or null to leave them
 */
public record CpusetSpec(IndexList cpus, IndexList mems) implements ControllerSpec {

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
