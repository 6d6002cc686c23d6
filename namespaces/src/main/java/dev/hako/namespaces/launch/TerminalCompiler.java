package dev.hako.namespaces.launch;

import dev.hako.syscalls.MoveMountFlag;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.OpenTreeFlag;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.MountCalls;
import dev.hako.syscalls.calls.ProcessCalls;
import dev.hako.syscalls.calls.StreamCalls;
import dev.hako.syscalls.calls.TerminalCalls;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

/**
 * The rows that give the command a pty ({@link LaunchSpec#terminal()}), run in the
 * command's process after the mounts and before the privileges drop.
 *
 * <p>Why the child opens the pty, not the parent: a pty belongs to the devpts instance of
 * the ptmx it was opened from. Opened by the child from /dev/ptmx of its own root, it lives
 * in the private /dev's devpts (mounted with newinstance), so the peer's name, /dev/pts/N,
 * resolves inside the container ({@code tty} prints a path that exists there) and the
 * host's devpts gains nothing. The parent would open the host's, whose /dev/pts/N the
 * container cannot see. runc, crun and youki open it inside for the same reason.
 *
 * <p>The master is sent while it sits at descriptor 0: the SCM_RIGHTS message is written
 * before the fork and must name the descriptor by number, and 0 is the one number that is
 * certainly free to borrow, since the peer replaces it right after.
 */
final class TerminalCompiler {

    /** The data sent with the master: its name, as runc sends {@code pty.Name()}. */
    static final String MASTER_NAME = "/dev/ptmx";

    private TerminalCompiler() {
    }

    static void compile(LaunchSpec spec, int consoleSocket, ChildProgram program) {
        var memory = program.memory();
        int master = program.newRegister();
        int peer = program.newRegister();
        program.add(FileCalls.openat(memory, FileCalls.AT_FDCWD, "/dev/ptmx", EnumSet.of(OpenFlag.READ_WRITE,
                OpenFlag.NOCTTY, OpenFlag.CLOEXEC), 0)).saveIn(master).then(" = <pty master>");
        program.add(TerminalCalls.setPeerLock(memory, 0, false)).fromSlot(0, master, "<pty master>");
        if (spec.terminal().size() != null) {
            program.add(TerminalCalls.setWindowSize(memory, 0, spec.terminal().size().rows(),
                    spec.terminal().size().columns())).fromSlot(0, master, "<pty master>");
        }
        program.add(TerminalCalls.openPeer(0, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.NOCTTY, OpenFlag.CLOEXEC)))
                .fromSlot(0, master, "<pty master>").saveIn(peer).then(" = <pty peer>");
        // A session of its own, which TIOCSCTTY needs; unless this process made one already.
        if (spec.supervised() || !spec.newSession()) {
            program.add(ProcessCalls.setsid());
        }
        program.add(FileCalls.dup3(0, 0, false)).fromSlot(0, master, "<pty master>")
                .then("  (fd 0 holds the master while it is sent)");
        program.add(StreamCalls.sendRights(memory, consoleSocket, MASTER_NAME.getBytes(StandardCharsets.UTF_8), 0)
                .showing(0, "<console socket>"));
        program.add(FileCalls.close(consoleSocket).showing(0, "<console socket>"));
        program.add(FileCalls.close(0)).fromSlot(0, master, "<pty master>");
        for (int target = 0; target < 3; target++) {
            program.add(FileCalls.dup3(0, target, false)).fromSlot(0, peer, "<pty peer>");
        }
        program.add(FileCalls.close(0)).fromSlot(0, peer, "<pty peer>");
        program.add(TerminalCalls.setControllingTerminal(0, false));
        LaunchSpec.Identity identity = spec.identity();
        if (identity != null && identity.uid() != 0) {
            // The user the command runs as owns its terminal (the group stays devpts's), as
            // runc's fixStdioPermissions does, so that it can reopen /dev/pts/N or /dev/tty.
            program.add(FileCalls.fchown(0, identity.uid(), -1));
        }
        if (spec.mounts() != null) {
            console(program);
        }
    }

    /**
     * Binds the peer over /dev/console of the new root, as runc does: a file to mount on
     * (the private /dev is a fresh tmpfs; a kept host /dev has one), then open_tree of
     * descriptor 0 itself, so no path of the pty is needed.
     */
    private static void console(ChildProgram program) {
        var memory = program.memory();
        int tree = program.newRegister();
        program.add(FileCalls.mknodat(memory, FileCalls.AT_FDCWD, "/dev/console", 0666, 0)).ignoringFailure()
                .then("  (EEXIST ignored)");
        program.add(MountCalls.openTree(memory, 0, "", EnumSet.of(OpenTreeFlag.EMPTY_PATH, OpenTreeFlag.CLONE,
                OpenTreeFlag.CLOEXEC))).saveIn(tree).then(" = <console tree>");
        program.add(MountCalls.moveMount(memory, 0, "", FileCalls.AT_FDCWD, "/dev/console",
                EnumSet.of(MoveMountFlag.F_EMPTY_PATH))).fromSlot(0, tree, "<console tree>");
        program.add(FileCalls.close(0)).fromSlot(0, tree, "<console tree>");
    }
}
