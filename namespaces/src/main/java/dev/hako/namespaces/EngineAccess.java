package dev.hako.namespaces;

import dev.hako.bindings.Arch;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.namespaces.launch.ApiAccess;
import dev.hako.namespaces.seccomp.BpfProgram;

/** The engine's view of package-private members of the API types (see {@link ApiAccess}). */
final class EngineAccess implements ApiAccess {

    @Override
    public Cgroup group(CgroupPlacement placement) {
        return placement.group();
    }

    @Override
    public dev.hako.namespaces.launch.Plan plan(ContainerBuilder builder) {
        return builder.plan().engine();
    }

    @Override
    public BpfProgram filter(SeccompProfile profile, Arch arch) {
        return profile.program(arch);
    }
}
