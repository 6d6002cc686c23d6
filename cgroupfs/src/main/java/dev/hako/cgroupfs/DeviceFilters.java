package dev.hako.cgroupfs;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.BpfSyscalls;
import dev.hako.syscalls.BpfAttachFlag;
import dev.hako.syscalls.BpfAttachType;
import dev.hako.syscalls.BpfProgramType;
import dev.hako.syscalls.BpfSyscalls.Attached;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Loads a {@link DeviceProgram} and attaches it to a cgroup v2 directory, replacing the
 * device programs attached to that directory before.
 *
 * <p>Attach mode: {@code BPF_F_ALLOW_MULTI}, so a group below (a container's own, with
 * delegation) can add its programs, which then run as well: every program up the tree must
 * allow, and nothing below can loosen the rules. Replacing: with one program attached
 * already, {@code BPF_F_REPLACE} swaps it atomically; with several, the new one is attached
 * first and the old ones detached after, so for a moment both apply and the stricter wins,
 * never neither. Programs attached without ALLOW_MULTI (by another manager) are replaced in
 * their own mode, in which attaching swaps the single program. Releasing: none needed; the
 * kernel detaches and frees a group's programs when the group is destroyed.
 */
final class DeviceFilters {
    private DeviceFilters() {
    }

    /**
     * Whether device rules in this layout are a v2 program: there is no v1 devices
     * hierarchy, and there is a v2 one to attach to.
     */
    static boolean usesProgram(CgroupLayout layout) {
        return layout.hierarchyFor(Controller.DEVICES).isEmpty() && layout.unified().isPresent();
    }

    /** Loads the program; the verifier's log is in the exception if it refuses. */
    static Fd load(DeviceProgram program) throws SyscallException {
        return BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, program.encode(), DeviceProgram.LICENSE,
                DeviceProgram.NAME);
    }

    /** Attaches a loaded program to the directory, replacing what was attached there (not above). */
    static void install(Path directory, Fd program) throws IOException {
        try (Fd dir = openDirectory(directory)) {
            Attached before = BpfSyscalls.progQuery(dir, BpfAttachType.CGROUP_DEVICE, false);
            if (before.programIds().isEmpty()) {
                BpfSyscalls.progAttach(dir, program, BpfAttachType.CGROUP_DEVICE, Set.of(BpfAttachFlag.ALLOW_MULTI), null);
            } else if (!before.attachFlags().contains(BpfAttachFlag.ALLOW_MULTI)) {
                // One program, attached by someone else without ALLOW_MULTI: the kernel requires the
                // same mode, in which an attach replaces that program.
                BpfSyscalls.progAttach(dir, program, BpfAttachType.CGROUP_DEVICE, before.attachFlags(), null);
            } else if (before.programIds().size() == 1) {
                replaceOne(dir, program, before.programIds().getFirst());
            } else {
                BpfSyscalls.progAttach(dir, program, BpfAttachType.CGROUP_DEVICE, Set.of(BpfAttachFlag.ALLOW_MULTI), null);
                for (int id : before.programIds()) {
                    detach(dir, id);
                }
            }
        }
    }

    private static void replaceOne(Fd dir, Fd program, int oldId) throws SyscallException {
        Fd old;
        try {
            old = BpfSyscalls.progGetFdById(oldId);
        } catch (SyscallException e) {
            if (e.errno() != Linux.ENOENT()) {
                throw e;
            }
            // Detached and freed since the query: nothing left to replace.
            BpfSyscalls.progAttach(dir, program, BpfAttachType.CGROUP_DEVICE, Set.of(BpfAttachFlag.ALLOW_MULTI), null);
            return;
        }
        try (old) {
            BpfSyscalls.progAttach(dir, program, BpfAttachType.CGROUP_DEVICE,
                    EnumSet.of(BpfAttachFlag.ALLOW_MULTI, BpfAttachFlag.REPLACE), old);
        }
    }

    private static void detach(Fd dir, int id) throws SyscallException {
        try (Fd old = BpfSyscalls.progGetFdById(id)) {
            BpfSyscalls.progDetach(dir, old, BpfAttachType.CGROUP_DEVICE);
        } catch (SyscallException e) {
            if (e.errno() != Linux.ENOENT()) {
                throw e; // ENOENT: gone meanwhile, which is what detaching wanted
            }
        }
    }

    /** The device programs attached to the directory itself (not inherited). */
    static Attached attached(Path directory) throws IOException {
        try (Fd dir = openDirectory(directory)) {
            return BpfSyscalls.progQuery(dir, BpfAttachType.CGROUP_DEVICE, false);
        }
    }

    static Fd openDirectory(Path directory) throws SyscallException {
        return FileSyscalls.openat2(null, directory.toString(), EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.DIRECTORY), 0,
                Set.of());
    }
}
