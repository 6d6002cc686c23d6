package dev.hako.namespaces.launch;

import dev.hako.bindings.Arch;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.namespaces.seccomp.BpfProgram;
import java.lang.invoke.MethodHandles;
import java.util.Objects;

/**
 * What the engine reads of the API types that their public surface does not show. The API
 * package installs the one implementation from a static initializer of
 * {@link ContainerBuilder} (the JDK's "shared secrets" pattern), so these members stay
 * package-private there and no caller of the exported package can reach them: this
 * package is not exported.
 */
public interface ApiAccess {

    /** The container's own group of a placement made from a Cgroup, whose device rules the start sets, or null. */
    Cgroup group(CgroupPlacement placement);

    /** The compiled filter of a profile for {@code arch}. */
    BpfProgram filter(SeccompProfile profile, Arch arch);

    /** The engine's plan of a builder's settings (the launch server starts through it). */
    Plan plan(ContainerBuilder builder);

    /** Installs the implementation; only the API package calls it, once. */
    static void install(ApiAccess access) {
        Holder.install(access);
    }

    /** The installed implementation, initializing the API package first if needed. */
    static ApiAccess get() {
        ApiAccess access = Holder.access;
        if (access == null) {
            try {
                MethodHandles.lookup().ensureInitialized(ContainerBuilder.class);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            access = Objects.requireNonNull(Holder.access, "the API package installed no ApiAccess");
        }
        return access;
    }

    /** The installed implementation. */
    final class Holder {
        private static volatile ApiAccess access;

        private Holder() {
        }

        private static synchronized void install(ApiAccess implementation) {
            if (access != null) {
                throw new IllegalStateException("ApiAccess is installed already");
            }
            access = Objects.requireNonNull(implementation, "access");
        }
    }
}
