package dev.hako.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.ControllerSpec;
import dev.hako.cgroupfs.DevicesSpec;
import dev.hako.cgroupfs.Hierarchy;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Launchers;
import dev.hako.namespaces.NamespaceJoin;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.Signal;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The subcommands of hako-oci over one state root. Each call is a fresh JVM: what later
 * calls need is in the state directory ({@link ContainerState}).
 */
final class Runtime {

    /** Descriptor number of the start gate in the container's init, closed before its execve. */
    static final int GATE_FD = 3;
    private static final Duration CGROUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path root;
    private final RuntimeLog log;
    private final PrintStream out;

    Runtime(Path root, RuntimeLog log, PrintStream out) {
        this.root = root;
        this.log = log;
        this.out = out;
    }

    int run(String command, String[] args, int from) throws IOException {
        Map<String, String> none = Map.of();
        return switch (command) {
            case "create" -> create(HakoOci.parse(args, from, Set.of("bundle", "pid-file", "console-socket",
                    "preserve-fds"), Set.of("no-pivot", "no-new-keyring"), Map.of("b", "bundle"), false, command));
            case "run" -> throw new RuntimeError("run is not supported; use create then start");
            case "start" -> start(HakoOci.parse(args, from, Set.of(), Set.of(), none, false, command).id(command));
            case "state" -> state(HakoOci.parse(args, from, Set.of(), Set.of(), none, false, command).id(command));
            case "kill" -> kill(HakoOci.parse(args, from, Set.of(), Set.of("all"), Map.of("a", "all"), false, command));
            case "delete" -> delete(HakoOci.parse(args, from, Set.of(), Set.of("force"), Map.of("f", "force"), false,
                    command));
            case "ps" -> ps(HakoOci.parse(args, from, Set.of("format"), Set.of(), Map.of("f", "format"), false,
                    command));
            case "pause" -> pause(HakoOci.parse(args, from, Set.of(), Set.of(), none, false, command).id(command), true);
            case "resume" -> pause(HakoOci.parse(args, from, Set.of(), Set.of(), none, false, command).id(command),
                    false);
            case "exec" -> exec(HakoOci.parse(args, from, Set.of("process", "pid-file", "console-socket", "cwd",
                    "env", "user", "cap", "preserve-fds", "process-label", "apparmor"), Set.of("detach", "tty",
                    "no-new-privs"), Map.of("p", "process", "d", "detach", "t", "tty", "e", "env", "u", "user"), true,
                    command));
            case "features" -> features();
            default -> throw new RuntimeError("unknown command \"" + command + "\"\n" + HakoOci.usage());
        };
    }

    // ---- create ---------------------------------------------------------------------------

    private int create(HakoOci.Args args) throws IOException {
        String id = args.id("create");
        prepareLauncher();
        Path bundle = Path.of(args.value("bundle", ".")).toAbsolutePath().normalize();
        if (!args.value("preserve-fds", "0").equals("0")) {
            throw new RuntimeError("--preserve-fds is not supported by hako-oci");
        }
        Path dir = ContainerState.directoryOf(root, id);
        if (Files.exists(dir)) {
            throw new RuntimeError("container with id \"" + id + "\" already exists");
        }
        // Everything is checked before anything is made: a refused config leaves nothing.
        Config config = Config.load(bundle);
        ConfigMapping.Mapped mapped = ConfigMapping.builder(config, bundle);
        List<ControllerSpec> limits = new ArrayList<>(ConfigMapping.limits(config.linux().resources()));
        DevicesSpec devices = ConfigMapping.deviceRules(config.linux());
        String cgroupPath = cgroupPath(config, id);
        String consoleSocket = args.value("console-socket", null);
        Console.check(config.process().terminal(), consoleSocket, "process.terminal is true");
        var consoleSize = Console.size(config.raw().get("process"), "process");
        Sysctls.check(config.linux());
        ContainerBuilder builder = mapped.builder();
        builder.plan(); // the builder's own checks, still before anything exists

        Files.createDirectories(root);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new RuntimeError("container with id \"" + id + "\" already exists");
        }
        Cgroup group = null;
        ContainerProcess process = null;
        boolean done = false;
        try {
            for (String note : mapped.notes()) {
                log.warning(note);
            }
            CgroupLayout layout = CgroupLayout.detect();
            group = Cgroup.create(layout, cgroupPath, controllers(layout, limits));
            limits.add(devices);
            group.apply(limits);
            builder.cgroup(bareDirectories(group));
            try (Fd gate = gate(); Fd console = consoleSocket == null ? null : Console.connect(consoleSocket)) {
                if (console != null) {
                    Console.attach(builder, console, consoleSize); // the master is sent before start() returns
                }
                // Left for the shim (a subreaper) to reap once this JVM has exited.
                builder.passFd(gate, GATE_FD).execGate(GATE_FD).reap(false);
                process = builder.start();
            }
            int pid = (int) process.pid();
            long startTime = ProcStat.startTime(pid).orElseThrow(() -> new RuntimeError(
                    "the container's init (pid " + pid + ") ended during create"));
            if (config.process().oomScoreAdj() != null) {
                Files.writeString(Path.of("/proc/" + pid + "/oom_score_adj"),
                        Integer.toString(config.process().oomScoreAdj()));
            }
            Sysctls.apply(config.linux(), pid);
            List<String> namespaces = config.linux().namespaces().stream()
                    .map(ns -> ns.type().name()).toList();
            ContainerState state = new ContainerState(id, dir, pid, startTime, bundle, config.root(), Instant.now(),
                    group.path(), GATE_FD, config.annotations(), namespaces);
            Files.createFile(state.createdMarker());
            state.save();
            Hooks.run(config, "prestart", state, log, true);
            Hooks.run(config, "createRuntime", state, log, true);
            Hooks.runInContainer(config, "createContainer", state, log);
            String pidFile = args.value("pid-file", null);
            if (pidFile != null) {
                writePidFile(Path.of(pidFile), pid);
            }
            Files.writeString(dir.resolve("config.json"), config.raw().toString());
            done = true;
            return 0;
        } finally {
            if (!done) {
                if (process != null) {
                    process.close(); // kills and reaps the init
                }
                if (group != null) {
                    deleteQuietly(group);
                }
                deleteTree(dir);
            }
        }
    }

    /**
     * Readies the launcher on a thread of its own: in a fresh JVM the first start waits for
     * the child's code to be compiled (up to a second), which can happen while this thread
     * reads and checks the config. A failure here is left for the start to report.
     */
    private static void prepareLauncher() {
        Thread.ofPlatform().daemon().name("hako-oci-prepare").start(() -> {
            try {
                Launchers.fromSystemProperty().prepare();
            } catch (IOException | RuntimeException e) {
                // the start meets it again and reports it
            }
        });
    }

    /** The gate: a pipe reopened read-write, so that its reader never sees end of file. */
    private static Fd gate() throws SyscallException {
        FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false);
        try {
            return FileSyscalls.openat2(null, "/proc/self/fd/" + pipe.read().value(),
                    EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CLOEXEC), 0, Set.of());
        } finally {
            pipe.read().close();
            pipe.write().close();
        }
    }

    private static String cgroupPath(Config config, String id) {
        String path = config.linux().cgroupsPath();
        if (path == null || path.isEmpty()) {
            return "/hako-oci/" + id;
        }
        if (path.contains(":")) {
            throw new InvalidConfigException("linux.cgroupsPath", "\"" + path + "\" is a systemd slice:prefix:name;"
                    + " hako-oci takes a cgroupfs path (containerd: SystemdCgroup = false)");
        }
        if (!path.startsWith("/")) {
            return "/hako-oci/" + path; // runc places a relative path below its own parent too
        }
        return path;
    }

    private static Set<Controller> controllers(CgroupLayout layout, List<ControllerSpec> limits) {
        Set<Controller> set = EnumSet.noneOf(Controller.class);
        for (ControllerSpec spec : limits) {
            set.add(spec.controller());
        }
        for (Controller c : List.of(Controller.MEMORY, Controller.CPU, Controller.PIDS, Controller.FREEZER)) {
            if (layout.versionOf(c).isPresent()) {
                set.add(c);
            }
        }
        if (layout.versionOf(Controller.DEVICES).isPresent() || layout.unified().isPresent()) {
            set.add(Controller.DEVICES);
        }
        return set;
    }

    /**
     * The group's directories as a placement that changes nothing in them: the config's own
     * device rules were applied already, and the builder would replace them with its defaults.
     */
    private static CgroupPlacement bareDirectories(Cgroup group) {
        Map<Hierarchy, Path> directories = new LinkedHashMap<>();
        for (Hierarchy hierarchy : group.hierarchies()) {
            directories.put(hierarchy, hierarchy.directory(group.path()));
        }
        return CgroupPlacement.of(directories);
    }

    /** The decimal pid without a newline, renamed into place so a reader never sees half of it. */
    static void writePidFile(Path file, int pid) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".hako-oci");
        Files.writeString(temp, Integer.toString(pid));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- start, state, kill, delete ------------------------------------------------------

    private int start(String id) throws IOException {
        ContainerState state = ContainerState.load(root, id);
        Optional<Config> config = savedConfigWithHooks(state);
        ContainerState.Status status = state.status(false);
        if (status != ContainerState.Status.CREATED) {
            throw new RuntimeError("cannot start container \"" + id + "\": it is " + status.name()
                    .toLowerCase(Locale.ROOT) + ", not created");
        }
        if (config.isPresent()) {
            Hooks.runInContainer(config.get(), "startContainer", state, log);
        }
        try (Fd gate = FileSyscalls.openat2(null, "/proc/" + state.pid() + "/fd/" + state.gateFd(),
                EnumSet.of(OpenFlag.WRITE_ONLY, OpenFlag.NONBLOCK, OpenFlag.CLOEXEC), 0, Set.of())) {
            if (!state.initAlive()) {
                throw new RuntimeError("cannot start container \"" + id + "\": its init has exited");
            }
            Files.delete(state.createdMarker());
            FileSyscalls.writeFully(gate, new byte[] {'1'});
        } catch (SyscallException e) {
            throw new RuntimeError("cannot start container \"" + id + "\": its init does not wait at the start gate ("
                    + e.getMessage() + ")");
        }
        if (config.isPresent()) {
            Hooks.run(config.get(), "poststart", state, log, false);
        }
        return 0;
    }

    private int state(String id) throws IOException {
        ContainerState state = ContainerState.load(root, id);
        ContainerState.Status status = state.status(false);
        // The cgroup is read only for a running container: only it can be paused.
        if (status == ContainerState.Status.RUNNING && frozen(state)) {
            status = ContainerState.Status.PAUSED;
        }
        out.println(state.stateJson(status));
        return 0;
    }

    private boolean frozen(ContainerState state) {
        try {
            return group(state).frozen();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Cgroup group(ContainerState state) throws IOException {
        return Cgroup.open(CgroupLayout.detect(), state.cgroupPath());
    }

    private int kill(HakoOci.Args args) throws IOException {
        String id = args.id("kill");
        int signal = signal(args.positional.size() > 1 ? args.positional.get(1) : "SIGTERM");
        ContainerState state = ContainerState.load(root, id);
        if (args.flag("all")) {
            List<Long> pids = List.of();
            try {
                pids = group(state).allProcesses();
            } catch (NoSuchFileException e) {
                // no group: nothing runs
            }
            if (pids.isEmpty() && !state.initAlive()) {
                throw new RuntimeError("container not running: \"" + id + "\"");
            }
            for (long pid : pids) {
                signalQuietly((int) pid, signal);
            }
            return 0;
        }
        if (!state.initAlive()) {
            throw new RuntimeError("container not running: \"" + id + "\"");
        }
        try (Fd pidfd = ProcessSyscalls.pidfdOpen(state.pid(), false)) {
            // The pidfd names a process; the start time, read after opening it, proves it is ours.
            if (!state.initAlive()) {
                throw new RuntimeError("container not running: \"" + id + "\"");
            }
            ProcessSyscalls.pidfdSendSignal(pidfd, signal);
        } catch (SyscallException e) {
            throw new RuntimeError("container not running: \"" + id + "\": " + e.getMessage());
        }
        return 0;
    }

    private static void signalQuietly(int pid, int signal) {
        try (Fd pidfd = ProcessSyscalls.pidfdOpen(pid, false)) {
            ProcessSyscalls.pidfdSendSignal(pidfd, signal);
        } catch (SyscallException e) {
            // exited meanwhile
        }
    }

    /** A signal by name (KILL, SIGKILL) or number. */
    static int signal(String text) {
        if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
            int number = Integer.parseInt(text);
            if (number < 1 || number > 64) {
                throw new RuntimeError("signal " + number + " is outside 1..64");
            }
            return number;
        }
        String name = text.toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name : "SIG" + name;
        for (Signal s : Signal.values()) {
            if (s.name().equals(name)) {
                return s.number();
            }
        }
        throw new RuntimeError("unknown signal \"" + text + "\"");
    }

    private int delete(HakoOci.Args args) throws IOException {
        String id = args.id("delete");
        ContainerState state;
        try {
            state = ContainerState.load(root, id);
        } catch (RuntimeError e) {
            if (args.flag("force")) {
                return 0; // runc: --force on a missing container is not an error
            }
            throw e;
        }
        ContainerState.Status status = state.status(false);
        // As runc: a created container (its init still at the gate) is deleted like a stopped one.
        if (status != ContainerState.Status.STOPPED && status != ContainerState.Status.CREATED && !args.flag("force")) {
            throw new RuntimeError("cannot delete container \"" + id + "\" that is not stopped: "
                    + status.name().toLowerCase(Locale.ROOT));
        }
        Cgroup group = null;
        try {
            group = group(state);
        } catch (NoSuchFileException e) {
            // already gone
        }
        if (group != null) {
            if (frozen(state)) {
                group.thaw(CGROUP_TIMEOUT);
            }
            group.delete(CGROUP_TIMEOUT, true);
        } else if (state.initAlive()) {
            signalQuietly(state.pid(), Signal.SIGKILL.number());
        }
        awaitExit(state);
        Optional<Config> config = savedConfigWithHooks(state);
        if (config.isPresent()) {
            Hooks.run(config.get(), "poststop", state, log, false);
        }
        deleteTree(state.directory());
        return 0;
    }

    /** Waits, bounded, until the init is gone or a zombie (its parent, the shim, reaps it). */
    private static void awaitExit(ContainerState state) {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (state.initAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (state.initAlive()) {
            throw new RuntimeError("container \"" + state.id() + "\": its init (pid " + state.pid()
                    + ") did not exit within " + STOP_TIMEOUT.toSeconds() + " s of SIGKILL");
        }
    }

    // ---- ps, pause, resume, exec, features -----------------------------------------------

    private int ps(HakoOci.Args args) throws IOException {
        String id = args.id("ps");
        ContainerState state = ContainerState.load(root, id);
        List<Long> pids;
        try {
            pids = group(state).allProcesses();
        } catch (NoSuchFileException e) {
            pids = List.of();
        }
        String format = args.value("format", "table");
        if (format.equals("json")) {
            ArrayNode array = new ObjectMapper().createArrayNode();
            pids.forEach(array::add);
            out.println(array);
        } else if (format.equals("table")) {
            out.println("PID\tCMD");
            for (long pid : pids) {
                String cmd;
                try {
                    cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').strip();
                } catch (IOException e) {
                    cmd = "?";
                }
                out.println(pid + "\t" + cmd);
            }
        } else {
            throw new RuntimeError("ps --format " + format + " is not json or table");
        }
        return 0;
    }

    private int pause(String id, boolean pause) throws IOException {
        ContainerState state = ContainerState.load(root, id);
        if (!state.initAlive()) {
            throw new RuntimeError("container not running: \"" + id + "\"");
        }
        if (pause) {
            group(state).freeze(CGROUP_TIMEOUT);
        } else {
            group(state).thaw(CGROUP_TIMEOUT);
        }
        return 0;
    }

    private int exec(HakoOci.Args args) throws IOException {
        String id = args.id("exec");
        ContainerState state = ContainerState.load(root, id);
        if (!state.initAlive()) {
            throw new RuntimeError("container not running: \"" + id + "\"");
        }
        Config config = Config.parse(new ObjectMapper().readTree(state.directory().resolve("config.json").toFile()),
                state.bundle());
        Config.Process process;
        String processFile = args.value("process", null);
        com.fasterxml.jackson.databind.JsonNode processNode = null;
        if (processFile != null) {
            processNode = new ObjectMapper().readTree(Path.of(processFile).toFile());
            process = Config.parseProcess(processNode);
        } else {
            List<String> command = args.positional.subList(1, args.positional.size());
            if (command.isEmpty()) {
                throw new RuntimeError("exec: give --process FILE or the command after the id");
            }
            Config.Process base = config.process();
            process = new Config.Process(args.flag("tty"), base.uid(), base.gid(), base.umask(), base.additionalGids(),
                    List.copyOf(command), base.env(), args.value("cwd", base.cwd()), base.capabilities(),
                    base.rlimits(), base.noNewPrivileges(), null);
        }
        String consoleSocket = args.value("console-socket", null);
        Console.check(process.terminal(), consoleSocket, processFile != null ? "process.terminal is true"
                : "--tty is true");
        if (process.terminal() && !args.flag("detach")) {
            // runc would relay the pty to its own stdio itself; containerd always detaches.
            throw new RuntimeError("exec with a terminal needs --detach: hako-oci hands the pty master to the"
                    + " console socket and does not relay it");
        }
        List<String> notes = new ArrayList<>();
        ContainerBuilder builder = ConfigMapping.processBuilder(process, config.linux(), notes);
        notes.forEach(log::warning);
        for (String type : state.namespaces()) {
            builder.join(NamespaceType.valueOf(type), NamespaceJoin.ofPid(state.pid()));
        }
        Cgroup group = group(state);
        builder.cgroup(bareDirectories(group));
        builder.reap(!args.flag("detach")); // a detached process is the shim's to reap
        ContainerProcess started;
        try (Fd console = consoleSocket == null ? null : Console.connect(consoleSocket)) {
            if (console != null) {
                Console.attach(builder, console, Console.size(processNode, "process"));
            }
            started = builder.start();
        }
        String pidFile = args.value("pid-file", null);
        if (pidFile != null) {
            writePidFile(Path.of(pidFile), (int) started.pid());
        }
        if (args.flag("detach")) {
            return 0;
        }
        try {
            return started.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int features() throws IOException {
        ObjectNode node = new ObjectMapper().createObjectNode();
        node.put("ociVersionMin", "1.0.0").put("ociVersionMax", ContainerState.OCI_VERSION);
        ArrayNode hooks = node.putArray("hooks");
        Config.HOOK_KINDS.forEach(hooks::add);
        ArrayNode mountOptions = node.putArray("mountOptions");
        List.of("ro", "rw", "bind", "rbind", "size", "mode").forEach(mountOptions::add);
        ObjectNode linux = node.putObject("linux");
        ArrayNode namespaces = linux.putArray("namespaces");
        Config.NAMESPACE_TYPES.keySet().forEach(namespaces::add);
        ArrayNode caps = linux.putArray("capabilities");
        for (dev.hako.syscalls.Capability c : dev.hako.syscalls.Capability.values()) {
            caps.add(c.cName());
        }
        linux.putObject("cgroup").put("v1", true).put("v2", true).put("systemd", false).put("systemdUser", false);
        ObjectNode seccomp = linux.putObject("seccomp").put("enabled", true);
        ArrayNode actions = seccomp.putArray("actions");
        List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP").forEach(actions::add);
        ArrayNode archs = seccomp.putArray("archs");
        List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64").forEach(archs::add);
        linux.putObject("apparmor").put("enabled", false);
        linux.putObject("selinux").put("enabled", false);
        node.putObject("annotations").put("dev.hako.oci.version", HakoOci.VERSION);
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(node));
        return 0;
    }

    // ---- helpers ---------------------------------------------------------------------------

    /**
     * The config create saved, when it has hooks to run. Whether it has is read with
     * jackson-core's streaming parser (skipping every other member), and only then is the
     * config parsed whole: databind costs about 0.1 s in the fresh JVM of each call.
     */
    private static Optional<Config> savedConfigWithHooks(ContainerState state) throws IOException {
        Path file = state.directory().resolve("config.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (JsonParser parser = new JsonFactory().createParser(file.toFile())) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    if (parser.nextToken() != JsonToken.VALUE_NULL && name.equals("hooks")) {
                        return Optional.of(Config.parse(new ObjectMapper().readTree(file.toFile()), state.bundle()));
                    }
                    parser.skipChildren();
                }
            }
        }
        return Optional.empty();
    }

    private void deleteQuietly(Cgroup group) {
        try {
            group.delete(CGROUP_TIMEOUT, true);
        } catch (IOException | RuntimeException e) {
            log.warning("could not remove the cgroup " + group.path() + ": " + e.getMessage());
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    throw new IOException("cannot remove " + p + ": not empty", e);
                }
            }
        }
    }
}
