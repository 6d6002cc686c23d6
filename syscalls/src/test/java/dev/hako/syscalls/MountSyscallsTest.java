package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mount here happens on a dedicated thread in its own mount namespace with a private
 * root, so nothing reaches the JVM's namespace; each test checks that its mount table
 * is unchanged afterwards.
 */
@Privileged
class MountSyscallsTest {

    private static final long ST_RDONLY = 1;
    private static final long ST_NOSUID = 2;
    private static final long ST_NODEV = 4;
    private static final long ST_NOEXEC = 8;

    @TempDir
    Path dir;

    private String mountsBefore;

    @BeforeEach
    void recordMounts() throws Exception {
        mountsBefore = ProcFiles.mountinfo();
    }

    @AfterEach
    void noMountLeftBehind() throws Exception {
        assertThat(ProcFiles.mountinfo()).isEqualTo(mountsBefore);
    }

    /** Runs {@code body} on a thread in a new mount namespace whose mounts are all private. */
    private static void inPrivateMountNamespace(DedicatedThread.Body body) throws Exception {
        DedicatedThread.run(() -> {
            NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.MOUNT));
            MountSyscalls.mount(null, "/", null, EnumSet.of(MountFlag.REC, MountFlag.PRIVATE), null);
            body.run();
        });
    }

    @Test
    @Timeout(10)
    void mountTmpfsThenUnmount() throws Exception {
        String target = dir.toString();
        inPrivateMountNamespace(() -> {
            MountSyscalls.mount("tmpfs", target, "tmpfs", EnumSet.of(MountFlag.NOSUID, MountFlag.NODEV), "size=1m");
            FileSyscalls.FsStat stat = FileSyscalls.statfs(target);
            assertThat(stat.type()).isEqualTo(Linux.TMPFS_MAGIC());
            assertThat(stat.flags() & (ST_NOSUID | ST_NODEV)).isEqualTo(ST_NOSUID | ST_NODEV);
            Files.writeString(dir.resolve("inside-tmpfs"), "x");
            MountSyscalls.umount2(target, Set.of());
            assertThat(Files.exists(dir.resolve("inside-tmpfs"))).isFalse();
            assertThatThrownBy(() -> MountSyscalls.umount2(target, EnumSet.of(UnmountFlag.NOFOLLOW)))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("umount2(\"" + target + "\", UMOUNT_NOFOLLOW) failed: EINVAL (Invalid argument):"
                            + " not a mount point (or the flags are invalid)");
        });
    }

    @Test
    @Timeout(10)
    void mountFailuresNameEveryArgument() throws Exception {
        String target = dir.toString();
        inPrivateMountNamespace(() -> {
            assertThatThrownBy(() -> MountSyscalls.mount("tmpfs", "/no/such/dir", "tmpfs",
                    EnumSet.of(MountFlag.NOSUID), "size=1m"))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("mount(\"tmpfs\", \"/no/such/dir\", \"tmpfs\", MS_NOSUID, \"size=1m\") failed:"
                            + " ENOENT (No such file or directory)");
            assertThatThrownBy(() -> MountSyscalls.mount(null, target, null, EnumSet.of(MountFlag.BIND), null))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("mount(NULL, \"" + target + "\", NULL, MS_BIND, NULL) failed: EINVAL (Invalid argument)");
        });
        assertThatThrownBy(() -> MountSyscalls.mount("tmpfs", "/x\0y", "tmpfs", Set.of(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mount target contains a NUL byte, which C strings cannot hold: /x\\0y");
    }

    @Test
    @Timeout(10)
    void bindMountShowsTheSameFiles() throws Exception {
        Path source = Files.createDirectory(dir.resolve("source"));
        Path target = Files.createDirectory(dir.resolve("target"));
        Files.writeString(source.resolve("file"), "shared");
        inPrivateMountNamespace(() -> {
            MountSyscalls.mount(source.toString(), target.toString(), null, EnumSet.of(MountFlag.BIND), null);
            assertThat(Files.readString(target.resolve("file"))).isEqualTo("shared");
            MountSyscalls.mount(null, target.toString(), null,
                    EnumSet.of(MountFlag.REMOUNT, MountFlag.BIND, MountFlag.RDONLY), null);
            assertThat(FileSyscalls.statfs(target.toString()).flags() & ST_RDONLY).isEqualTo(ST_RDONLY);
            MountSyscalls.umount2(target.toString(), EnumSet.of(UnmountFlag.DETACH));
        });
    }

    @Test
    @Timeout(10)
    void pivotRootSwapsTheRootOfTheThreadsNamespace() throws Exception {
        String newRoot = dir.toString();
        Long[] rootType = new Long[1];
        String[] afterDetach = new String[1];
        inPrivateMountNamespace(() -> {
            assertThatThrownBy(() -> MountSyscalls.pivotRoot(newRoot, newRoot))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("pivot_root(\"" + newRoot + "\", \"" + newRoot + "\") failed: EBUSY (Device or resource"
                            + " busy): new_root and put_old must not be on the current root mount: mount a file system"
                            + " (or bind new_root onto itself) first");
            MountSyscalls.mount("tmpfs", newRoot, "tmpfs", Set.of(), "size=1m");
            Files.createDirectory(Path.of(newRoot, "old"));
            MountSyscalls.pivotRoot(newRoot, newRoot + "/old");
            // Only classes already loaded are safe to use now: the jars are under the old root.
            rootType[0] = FileSyscalls.statfs("/").type();
            MountSyscalls.umount2("/old", EnumSet.of(UnmountFlag.DETACH));
            afterDetach[0] = String.join(",", new java.io.File("/old").list());
        });
        assertThat(rootType[0]).isEqualTo(Linux.TMPFS_MAGIC());
        assertThat(afterDetach[0]).isEmpty();
    }

    @Test
    @Timeout(10)
    void newMountApiCreatesAttachesClonesAndChangesAttributes() throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        inPrivateMountNamespace(() -> {
            try (Fd context = MountSyscalls.fsopen("tmpfs")) {
                assertThat(Descriptors.flags(context.value()) & 02000000).as("O_CLOEXEC").isNotZero();
                MountSyscalls.fsconfigSetString(context, "size", "1m");
                MountSyscalls.fsconfigSetFlag(context, "rw");
                MountSyscalls.fsconfigCreate(context);
                try (Fd mount = MountSyscalls.fsmount(context, EnumSet.of(MountAttr.NOSUID, MountAttr.NOEXEC))) {
                    MountSyscalls.moveMount(mount, "", null, first.toString(), EnumSet.of(MoveMountFlag.F_EMPTY_PATH));
                }
            }
            FileSyscalls.FsStat stat = FileSyscalls.statfs(first.toString());
            assertThat(stat.type()).isEqualTo(Linux.TMPFS_MAGIC());
            assertThat(stat.flags() & (ST_NOSUID | ST_NOEXEC | ST_RDONLY)).isEqualTo(ST_NOSUID | ST_NOEXEC);
            Files.writeString(first.resolve("file"), "tmpfs");

            try (Fd copy = MountSyscalls.openTree(null, first.toString(), EnumSet.of(OpenTreeFlag.CLONE))) {
                MountSyscalls.mountSetattr(copy, "", EnumSet.of(MountSetattrFlag.EMPTY_PATH),
                        new MountAttrChange(EnumSet.of(MountAttr.RDONLY, MountAttr.NOATIME), Set.of(MountAttr.NOEXEC),
                                Propagation.PRIVATE, null));
                MountSyscalls.moveMount(copy, "", null, second.toString(), EnumSet.of(MoveMountFlag.F_EMPTY_PATH));
            }
            assertThat(Files.readString(second.resolve("file"))).isEqualTo("tmpfs");
            assertThat(FileSyscalls.statfs(second.toString()).flags() & (ST_RDONLY | ST_NOEXEC)).isEqualTo(ST_RDONLY);
            assertThat(FileSyscalls.statfs(first.toString()).flags() & ST_RDONLY).isZero();

            MountSyscalls.mountSetattr(null, second.toString(), Set.of(), MountAttrChange.clear(Set.of(MountAttr.RDONLY)));
            assertThat(FileSyscalls.statfs(second.toString()).flags() & ST_RDONLY).isZero();
            MountSyscalls.umount2(second.toString(), Set.of());
            MountSyscalls.umount2(first.toString(), Set.of());
        });
    }

    @Test
    @Timeout(10)
    void fsconfigFailuresCarryTheFileSystemsOwnMessage() throws Exception {
        inPrivateMountNamespace(() -> {
            assertThatThrownBy(() -> MountSyscalls.fsopen("hako-no-such-fs").close())
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("fsopen(\"hako-no-such-fs\", FSOPEN_CLOEXEC) failed: ENODEV (No such device)");
            try (Fd context = MountSyscalls.fsopen("tmpfs"); FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
                int fd = context.value();
                assertThatThrownBy(() -> MountSyscalls.fsconfigSetString(context, "size", "banana"))
                        .isInstanceOf(SyscallException.class)
                        .hasMessage("fsconfig(" + fd + ", FSCONFIG_SET_STRING, \"size\", \"banana\", 0) failed:"
                                + " EINVAL (Invalid argument): the file system says: tmpfs: Bad value for 'size'");
                assertThatThrownBy(() -> MountSyscalls.fsconfigSetFlag(context, "hako-no-such-option"))
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsconfig(" + fd + ", FSCONFIG_SET_FLAG, \"hako-no-such-option\", NULL, 0) failed:"
                                + " EINVAL (Invalid argument)");
                assertThatThrownBy(() -> MountSyscalls.fsconfigSetBinary(context, "size", new byte[] {1, 2}))
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsconfig(" + fd + ", FSCONFIG_SET_BINARY, \"size\", <2 bytes>, 2) failed: EINVAL");
                assertThatThrownBy(() -> MountSyscalls.fsconfigSetPath(context, "size", null, "/"))
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsconfig(" + fd + ", FSCONFIG_SET_PATH, \"size\", \"/\", AT_FDCWD) failed: EINVAL");
                assertThatThrownBy(() -> MountSyscalls.fsconfigSetPathEmpty(context, "size", pipe.read()))
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsconfig(" + fd + ", FSCONFIG_SET_PATH_EMPTY, \"size\", \"\", "
                                + pipe.read().value() + ") failed: EINVAL");
                assertThatThrownBy(() -> MountSyscalls.fsconfigSetFd(context, "size", pipe.read()))
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsconfig(" + fd + ", FSCONFIG_SET_FD, \"size\", NULL, "
                                + pipe.read().value() + ") failed: EINVAL");
                assertThatThrownBy(() -> MountSyscalls.fsmount(context, Set.of()).close())
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsmount(" + fd + ", FSMOUNT_CLOEXEC, 0) failed: EINVAL");
                assertThatThrownBy(() -> MountSyscalls.fsconfigReconfigure(context))
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsconfig(" + fd + ", FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) failed: EBUSY");
                MountSyscalls.fsconfigCreate(context);
                assertThatThrownBy(() -> MountSyscalls.fsconfigCreate(context))
                        .isInstanceOf(SyscallException.class)
                        .hasMessageStartingWith("fsconfig(" + fd + ", FSCONFIG_CMD_CREATE, NULL, NULL, 0) failed: EBUSY");
            }
        });
    }

    @Test
    @Timeout(10)
    void pathBasedMountApiCallsReportTheMissingPath() throws Exception {
        inPrivateMountNamespace(() -> {
            assertThatThrownBy(() -> MountSyscalls.openTree(null, "/no/such/dir", EnumSet.of(OpenTreeFlag.CLONE)).close())
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("open_tree(AT_FDCWD, \"/no/such/dir\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC) failed:"
                            + " ENOENT (No such file or directory)");
            assertThatThrownBy(() -> MountSyscalls.moveMount(null, "/no/such/dir", null, "/tmp", Set.of()))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("move_mount(AT_FDCWD, \"/no/such/dir\", AT_FDCWD, \"/tmp\", 0) failed:"
                            + " ENOENT (No such file or directory)");
            assertThatThrownBy(() -> MountSyscalls.mountSetattr(null, "/no/such/dir",
                    EnumSet.of(MountSetattrFlag.RECURSIVE), MountAttrChange.set(EnumSet.of(MountAttr.RELATIME))))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("mount_setattr(AT_FDCWD, \"/no/such/dir\", AT_RECURSIVE, {attr_set=MOUNT_ATTR_RELATIME,"
                            + " attr_clr=MOUNT_ATTR__ATIME, propagation=0}, 32) failed: ENOENT (No such file or directory)");
        });
    }
}
