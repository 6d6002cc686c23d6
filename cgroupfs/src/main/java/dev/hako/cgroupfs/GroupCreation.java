package dev.hako.cgroupfs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Makes a group's directories in one hierarchy, following that version's rules. */
final class GroupCreation {
    private GroupCreation() {
    }

    /** The group path's ancestors from the root down, then the path itself. */
    static List<String> levels(String path) {
        List<String> out = new ArrayList<>();
        out.add("/");
        String current = "/";
        for (String part : path.substring(1).split("/")) {
            current = GroupPaths.child(current, part);
            out.add(current);
        }
        return out;
    }

    /**
     * v2: checks every level first, then walks down enabling controllers in each
     * ancestor's subtree_control and making missing directories.
     */
    static void createV2(Hierarchy h, String path, Set<Controller> controllers, List<Path> created) throws IOException {
        List<String> levels = levels(path);
        // Check everything before changing anything.
        for (int i = 0; i < levels.size() - 1; i++) {
            Path dir = h.directory(levels.get(i));
            if (!Files.isDirectory(dir)) {
                break; // the rest will be created empty
            }
            Set<Controller> missing = EnumSet.noneOf(Controller.class);
            missing.addAll(controllers);
            missing.removeAll(ControlFiles.controllerList(dir.resolve("cgroup.subtree_control")));
            if (missing.isEmpty()) {
                continue;
            }
            Set<Controller> available = ControlFiles.controllerList(dir.resolve("cgroup.controllers"));
            if (!available.containsAll(missing)) {
                missing.removeAll(available);
                throw new CgroupException("cannot enable " + names(missing) + " below " + levels.get(i)
                        + ": not in its cgroup.controllers (" + names(available) + ")");
            }
            if (i > 0) {
                List<Long> pids = ControlFiles.pids(dir.resolve("cgroup.procs"));
                if (!pids.isEmpty()) {
                    throw new CgroupException("cannot enable " + names(missing) + " in " + levels.get(i)
                            + "/cgroup.subtree_control: that group holds processes " + pids
                            + " and cgroup v2 allows controllers only to distribute to children of a group "
                            + "without processes (the no-internal-processes rule); move them into a leaf first");
                }
            }
        }
        for (int i = 0; i < levels.size(); i++) {
            Path dir = h.directory(levels.get(i));
            if (i > 0) {
                mkdir(dir, created);
            }
            if (i < levels.size() - 1 && !controllers.isEmpty()) {
                Set<Controller> enabled = ControlFiles.controllerList(dir.resolve("cgroup.subtree_control"));
                StringBuilder add = new StringBuilder();
                for (Controller c : controllers) {
                    if (!enabled.contains(c)) {
                        add.append(add.isEmpty() ? "" : " ").append('+').append(c.v2Name().orElseThrow());
                    }
                }
                if (!add.isEmpty()) {
                    ControlFiles.write(dir.resolve("cgroup.subtree_control"), add.toString());
                }
            }
        }
    }

    /** v1: makes the directories; new cpuset levels inherit the parent's CPUs and nodes. */
    static void createV1(Hierarchy h, String path, List<Path> created) throws IOException {
        boolean cpuset = h.controllers().contains(Controller.CPUSET);
        List<String> levels = levels(path);
        for (int i = 1; i < levels.size(); i++) {
            Path dir = h.directory(levels.get(i));
            if (mkdir(dir, created) && cpuset) {
                Path parent = dir.getParent();
                for (String file : List.of("cpuset.mems", "cpuset.cpus")) {
                    if (ControlFiles.read(dir.resolve(file)).isBlank()) {
                        ControlFiles.write(dir.resolve(file), ControlFiles.read(parent.resolve(file)).strip());
                    }
                }
            }
        }
    }

    private static boolean mkdir(Path dir, List<Path> created) throws IOException {
        try {
            Files.createDirectory(dir);
            created.add(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (java.nio.file.AccessDeniedException e) {
            // Java's message is the bare path; say what it means and the way out.
            throw new CgroupException("cannot create cgroup " + dir + ": EACCES (permission denied): "
                    + dir.getParent() + " is not writable by this user. Run as root, or in a cgroup delegated to"
                    + " you (e.g. systemd-run --user --scope -p Delegate=yes ...) and place groups below it", e);
        }
    }

    /** Best-effort undo of a failed creation, deepest first; failures are attached to the cause. */
    static void removeCreated(List<Path> created, Throwable cause) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    private static String names(Set<Controller> controllers) {
        return controllers.stream().map(c -> c.v2Name().orElse(c.v1Name())).toList().toString();
    }
}
