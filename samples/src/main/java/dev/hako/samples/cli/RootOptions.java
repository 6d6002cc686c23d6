package dev.hako.samples.cli;

import dev.hako.namespaces.MountSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --rootfs DIR} and {@code --bind SRC:DST[:ro]}: the file system a new container
 * sees, parsed the same way for {@code hako run} and {@code hako restore}.
 */
final class RootOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--rootfs", paramLabel = "DIR",
            description = "Use DIR as the root (with fresh /proc, read-only /sys, a minimal /dev).")
    Path rootfs;

    @Option(names = "--bind", paramLabel = "SRC:DST[:ro]",
            description = "Bind a host path into the container, read-write unless :ro (repeatable).")
    List<String> binds = new ArrayList<>();

    /** Whether --rootfs was given. */
    boolean hasRootfs() {
        return rootfs != null;
    }

    /** Makes DIR the root of {@code view}, with a read-only /sys; only with --rootfs. */
    void addRootfs(MountSpec.Builder view) {
        view.rootfs(rootfs.toAbsolutePath()).sysReadOnly();
    }

    /**
     * Adds the binds to {@code view} in the order given.
     *
     * @return whether one of them targets /tmp
     * @throws ParameterException naming the option and the value for a malformed one
     */
    boolean addBinds(MountSpec.Builder view) {
        boolean tmp = false;
        for (String bind : binds) {
            String[] parts = bind.split(":", -1);
            if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || !parts[1].startsWith("/")
                    || (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw"))) {
                throw new ParameterException(spec.commandLine(),
                        "--bind needs SRC:DST or SRC:DST:ro with an absolute DST, not '" + bind + "'");
            }
            view.bind(Path.of(parts[0]).toAbsolutePath(), parts[1], parts.length == 3 && parts[2].equals("ro"));
            tmp |= parts[1].equals("/tmp");
        }
        return tmp;
    }
}
