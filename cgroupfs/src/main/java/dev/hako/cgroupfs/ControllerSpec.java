package dev.hako.cgroupfs;

import java.util.List;

/**
 * Limits for one controller, as data: renders to the (file, value) writes for either
 * cgroup version.
 *
 * <p>Values are checked when the spec is built (rules that hold on every machine, such as a
 * CPU quota of at least 1 ms); rules that depend on the machine (online CPUs, which
 * controllers exist) are checked by {@link Cgroup#apply} before the first write.
 */
public sealed interface ControllerSpec
        permits CpuSpec, CpusetSpec, MemorySpec, IoSpec, PidsSpec, HugetlbSpec, DevicesSpec {

    /** {@return the controller these settings belong to} */
    Controller controller();

    /**
     * The writes that apply this spec, in the order they must be made.
     *
     * @param version the interface of the hierarchy holding this controller
     * @return the writes; empty if the spec sets nothing
     * @throws InvalidSpecException if a setting has no equivalent in {@code version}
     */
    List<Setting> render(CgroupVersion version);
}
