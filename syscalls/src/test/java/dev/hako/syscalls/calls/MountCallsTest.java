package dev.hako.syscalls.calls;

import static dev.hako.syscalls.calls.Memory.at;
import static dev.hako.syscalls.calls.Memory.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.bindings.mount_attr;
import dev.hako.syscalls.MountAttr;
import dev.hako.syscalls.MountAttrChange;
import dev.hako.syscalls.MountFlag;
import dev.hako.syscalls.MountSetattrFlag;
import dev.hako.syscalls.MoveMountFlag;
import dev.hako.syscalls.OpenTreeFlag;
import dev.hako.syscalls.Propagation;
import dev.hako.syscalls.UnmountFlag;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MountCallsTest {

    @Test
    void mountPointsToItsStringsAndCombinesFlags() {
        try (Arena arena = Arena.ofConfined()) {
            Call call = MountCalls.mount(arena, null, "/mnt", "tmpfs", EnumSet.of(MountFlag.NOSUID, MountFlag.REC),
                    "size=1m");
            assertThat(call.number()).isEqualTo(Linux.SYS_mount());
            assertThat(call.word(0)).isZero();
            assertThat(string(call.word(1))).isEqualTo("/mnt");
            assertThat(string(call.word(2))).isEqualTo("tmpfs");
            assertThat(call.word(3)).isEqualTo(Linux.MS_NOSUID() | Linux.MS_REC());
            assertThat(string(call.word(4))).isEqualTo("size=1m");
            assertThat(call.describe()).isEqualTo("mount(NULL, \"/mnt\", \"tmpfs\", MS_NOSUID|MS_REC, \"size=1m\")");
        }
    }

    @Test
    void flagsReadInDeclarationOrderWhateverTheSet() {
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < 20; i++) {
                assertThat(MountCalls.mount(arena, null, "/", null, Set.of(MountFlag.REC, MountFlag.BIND,
                        MountFlag.RDONLY), null).arguments()).isEqualTo("NULL, \"/\", NULL, MS_RDONLY|MS_BIND|MS_REC, NULL");
            }
        }
    }

    @Test
    void stringsWithANulByteAreRefusedByName() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> MountCalls.mount(arena, null, "/a\0b", null, Set.of(), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("mount target contains a NUL byte, which C strings cannot hold: /a\\0b");
            assertThatThrownBy(() -> MountCalls.fsconfigSetString(arena, 3, "size", "1\0m"))
                    .hasMessage("fsconfig value contains a NUL byte, which C strings cannot hold: 1\\0m");
        }
    }

    @Test
    void quotesAreEscapedAsStracePrintsThem() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(MountCalls.umount2(arena, "/a \"b\"\\c", EnumSet.of(UnmountFlag.DETACH)).describe())
                    .isEqualTo("umount2(\"/a \\\"b\\\"\\\\c\", MNT_DETACH)");
            assertThat(MountCalls.pivotRoot(arena, ".", ".").describe()).isEqualTo("pivot_root(\".\", \".\")");
        }
    }

    @Test
    void fsconfigShowsAllFiveArguments() {
        try (Arena arena = Arena.ofConfined()) {
            Call flag = MountCalls.fsconfigSetFlag(arena, 7, "ro");
            assertThat(flag.words()).startsWith(7, Linux.FSCONFIG_SET_FLAG());
            assertThat(string(flag.word(2))).isEqualTo("ro");
            assertThat(flag.describe()).isEqualTo("fsconfig(7, FSCONFIG_SET_FLAG, \"ro\", NULL, 0)");
            Call value = MountCalls.fsconfigSetString(arena, 7, "mode", "0755");
            assertThat(string(value.word(3))).isEqualTo("0755");
            assertThat(value.describe()).isEqualTo("fsconfig(7, FSCONFIG_SET_STRING, \"mode\", \"0755\", 0)");
            Call blob = MountCalls.fsconfigSetBinary(arena, 7, "key", new byte[] {9, 8});
            assertThat(at(blob.word(3), 2).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsExactly(9, 8);
            assertThat(blob.word(4)).isEqualTo(2);
            assertThat(MountCalls.fsconfigSetPath(arena, 7, "lowerdir+", FileCalls.AT_FDCWD, "/l").describe())
                    .isEqualTo("fsconfig(7, FSCONFIG_SET_PATH, \"lowerdir+\", \"/l\", AT_FDCWD)");
            assertThat(MountCalls.fsconfigSetFd(arena, 7, "fd", 5).describe())
                    .isEqualTo("fsconfig(7, FSCONFIG_SET_FD, \"fd\", NULL, 5)");
            assertThat(MountCalls.fsconfigCreate(7).words()).containsExactly(7, Linux.FSCONFIG_CMD_CREATE(), 0, 0, 0, 0);
            assertThat(MountCalls.fsconfigCreate(7).describe()).isEqualTo("fsconfig(7, FSCONFIG_CMD_CREATE, NULL, NULL, 0)");
        }
    }

    @Test
    void descriptorApiCalls() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(MountCalls.fsopen(arena, "proc").describe()).isEqualTo("fsopen(\"proc\", FSOPEN_CLOEXEC)");
            Call fsmount = MountCalls.fsmount(4, EnumSet.of(MountAttr.NOSUID, MountAttr.NODEV));
            assertThat(fsmount.words()).containsExactly(4, Linux.FSMOUNT_CLOEXEC(),
                    Linux.MOUNT_ATTR_NOSUID() | Linux.MOUNT_ATTR_NODEV(), 0, 0, 0);
            assertThat(fsmount.describe()).isEqualTo("fsmount(4, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID|MOUNT_ATTR_NODEV)");
            Call move = MountCalls.moveMount(arena, 4, "", FileCalls.AT_FDCWD, "/dev/null",
                    EnumSet.of(MoveMountFlag.F_EMPTY_PATH));
            assertThat(move.word(2)).isEqualTo(Linux.AT_FDCWD());
            assertThat(move.word(4)).isEqualTo(Linux.MOVE_MOUNT_F_EMPTY_PATH());
            assertThat(move.describe()).isEqualTo("move_mount(4, \"\", AT_FDCWD, \"/dev/null\", MOVE_MOUNT_F_EMPTY_PATH)");
            Call tree = MountCalls.openTree(arena, FileCalls.AT_FDCWD, "/sys",
                    EnumSet.of(OpenTreeFlag.CLONE, OpenTreeFlag.RECURSIVE, OpenTreeFlag.CLOEXEC));
            assertThat(tree.word(2)).isEqualTo(Linux.OPEN_TREE_CLONE() | Linux.AT_RECURSIVE() | Linux.OPEN_TREE_CLOEXEC());
            assertThat(tree.describe()).isEqualTo("open_tree(AT_FDCWD, \"/sys\", OPEN_TREE_CLONE|AT_RECURSIVE|OPEN_TREE_CLOEXEC)");
        }
    }

    @Test
    void mountSetattrFillsStructMountAttr() {
        try (Arena arena = Arena.ofConfined()) {
            Call call = MountCalls.mountSetattr(arena, 6, "", EnumSet.of(MountSetattrFlag.EMPTY_PATH),
                    new MountAttrChange(EnumSet.of(MountAttr.RDONLY, MountAttr.NOATIME), EnumSet.of(MountAttr.NOEXEC),
                            Propagation.PRIVATE, null));
            assertThat(call.word(4)).isEqualTo(mount_attr.sizeof());
            MemorySegment attr = at(call.word(3), mount_attr.sizeof());
            assertThat(mount_attr.attr_set(attr)).isEqualTo(Linux.MOUNT_ATTR_RDONLY() | Linux.MOUNT_ATTR_NOATIME());
            assertThat(mount_attr.attr_clr(attr)).isEqualTo(Linux.MOUNT_ATTR_NOEXEC() | Linux.MOUNT_ATTR__ATIME());
            assertThat(mount_attr.propagation(attr)).isEqualTo(Linux.MS_PRIVATE());
            assertThat(mount_attr.userns_fd(attr)).isZero();
            assertThat(call.describe()).isEqualTo("mount_setattr(6, \"\", AT_EMPTY_PATH, {attr_set=MOUNT_ATTR_RDONLY"
                    + "|MOUNT_ATTR_NOATIME, attr_clr=MOUNT_ATTR_NOEXEC|MOUNT_ATTR__ATIME, propagation=MS_PRIVATE}, "
                    + mount_attr.sizeof() + ")");
        }
    }

    @Test
    void showingNamesAnArgumentFilledInLater() {
        Call call = MountCalls.fsmount(0, Set.of());
        assertThat(call.showing(0, "<tmpfs context>").describe()).isEqualTo("fsmount(<tmpfs context>, FSMOUNT_CLOEXEC, 0)");
        assertThat(call.describe()).isEqualTo("fsmount(0, FSMOUNT_CLOEXEC, 0)");
        assertThatThrownBy(() -> call.showing(3, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fsmount shows 3 arguments, not 4");
    }
}
