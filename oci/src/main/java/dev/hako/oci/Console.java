package dev.hako.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.TerminalSyscalls;

/**
 * The console of a process with {@code process.terminal}: runc's contract, which
 * containerd's shim (go-runc) relies on. The caller listens on a unix socket and names it
 * with {@code --console-socket}; the runtime connects to it, and the container's process,
 * given a pty of the container's devpts as its stdio and controlling terminal, sends the
 * master over it (SCM_RIGHTS, the data the name "/dev/ptmx") before {@code create} or
 * {@code exec --detach} returns. The shim accepts and receives it afterwards.
 */
final class Console {

    private Console() {
    }

    /**
     * Checks that a terminal comes with a console socket and a socket with a terminal, as
     * runc does: without the socket nobody could receive the master, and a socket without
     * a terminal would never get one.
     */
    static void check(boolean terminal, String socket, String how) {
        if (terminal && socket == null) {
            throw new RuntimeError(how + ", but no --console-socket was given to send the pty master to");
        }
        if (!terminal && socket != null) {
            throw new RuntimeError("--console-socket was given, but the process has no terminal (" + how.replace(
                    " is true", " is false") + ")");
        }
    }

    /** A connection to the caller's console socket, over which the process sends the master. */
    static Fd connect(String path) {
        try {
            return StreamSyscalls.connect(path);
        } catch (SyscallException | IllegalArgumentException e) {
            throw new RuntimeError("cannot connect to the console socket " + path + ": " + e.getMessage(), e);
        }
    }

    /** Gives the builder's process a terminal whose master goes to {@code console}, of {@code size} if not null. */
    static void attach(ContainerBuilder builder, Fd console, TerminalSyscalls.WindowSize size) {
        if (size == null) {
            builder.terminal(console);
        } else {
            builder.terminal(console, size);
        }
    }

    /**
     * {@code consoleSize} of a process object ({@code {"height": H, "width": W}}), or null
     * when it gives none or zeros (runc then leaves the kernel's size).
     */
    static TerminalSyscalls.WindowSize size(JsonNode process, String path) {
        JsonNode size = Json.object(process == null ? null : process.get("consoleSize"), path + ".consoleSize");
        if (size == null) {
            return null;
        }
        Long height = Json.integer(size, "height", path + ".consoleSize", 0, 0xffff);
        Long width = Json.integer(size, "width", path + ".consoleSize", 0, 0xffff);
        if (height == null || width == null || height == 0 || width == 0) {
            return null;
        }
        return new TerminalSyscalls.WindowSize(height.intValue(), width.intValue());
    }
}
