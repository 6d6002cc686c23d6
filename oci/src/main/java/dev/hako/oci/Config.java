package dev.hako.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hako.syscalls.Capability;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bundle's config.json as the runtime spec (1.0.2 and later) defines it, parsed and
 * checked: every rule broken is reported with its JSON path before anything is created.
 * Only what Hako can carry out is accepted; the rest is refused by name rather than
 * ignored.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md">runtime-spec: config.md</a>
 */
record Config(String ociVersion, Process process, Path root, boolean rootReadonly, String hostname,
              String domainname, List<Mount> mounts, Map<String, List<Hook>> hooks, Map<String, String> annotations,
              Linux linux, JsonNode raw) {

    /** The spec's names of namespace types, in the spec's order. */
    static final Map<String, NamespaceType> NAMESPACE_TYPES = namespaceTypes();

    /** Hook kinds of the spec; prestart is deprecated but still run (at createRuntime time). */
    static final List<String> HOOK_KINDS = List.of("prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");

    record Process(boolean terminal, long uid, long gid, Integer umask, List<Long> additionalGids, List<String> args,
                   List<String> env, String cwd, Capabilities capabilities, Map<Resource, long[]> rlimits,
                   boolean noNewPrivileges, Integer oomScoreAdj) {
    }

    /** The five capability sets; null when the config gives none (then none are kept). */
    record Capabilities(Set<Capability> bounding, Set<Capability> effective, Set<Capability> inheritable,
                        Set<Capability> permitted, Set<Capability> ambient) {
    }

    record Mount(String destination, String type, String source, List<String> options) {
    }

    record Hook(String path, List<String> args, List<String> env, Integer timeout) {
    }

    record Namespace(NamespaceType type, String path) {
    }

    record IdMap(long containerId, long hostId, long size) {
    }

    /** A {@code linux.devices} entry; mode, uid and gid as runc defaults them (0666, 0, 0). */
    record Device(String path, String type, long major, long minor, int fileMode, long uid, long gid) {
    }

    record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
    }

    record Resources(Long memoryLimit, Long memoryReservation, Long memorySwap, Long cpuShares, Long cpuQuota,
                     Long cpuPeriod, String cpus, String mems, Long pidsLimit, List<DeviceRule> devices) {
        static final Resources NONE = new Resources(null, null, null, null, null, null, null, null, null, List.of());
    }

    record Linux(List<Namespace> namespaces, List<IdMap> uidMappings, List<IdMap> gidMappings, List<Device> devices,
                 String cgroupsPath, Resources resources, Map<String, String> sysctl, JsonNode seccomp,
                 List<String> maskedPaths, List<String> readonlyPaths, String rootfsPropagation) {

        boolean has(NamespaceType type) {
            return namespaces.stream().anyMatch(ns -> ns.type() == type);
        }
    }

    /**
     * Reads and checks {@code bundle/config.json}.
     *
     * @throws InvalidConfigException naming the JSON path and the rule broken
     * @throws IOException            if the file cannot be read
     */
    static Config load(Path bundle) throws IOException {
        Path file = bundle.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException("config.json", "not found in the bundle " + bundle);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidConfigException("config.json", "is not valid JSON: " + e.getOriginalMessage());
        }
        return parse(root, bundle);
    }

    /**
     * Checks a parsed config.json of the bundle at {@code bundle} (relative root paths are
     * resolved against it).
     *
     * @throws InvalidConfigException naming the JSON path and the rule broken
     */
    static Config parse(JsonNode root, Path bundle) {
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException("(root)", "config.json must hold a JSON object");
        }
        String version = Json.string(root, "ociVersion", "", true);
        if (!version.startsWith("1.")) {
            throw new InvalidConfigException("ociVersion", "\"" + version + "\" is not a 1.x runtime spec version");
        }
        JsonNode processNode = Json.object(root.get("process"), "process");
        if (processNode == null) {
            throw new InvalidConfigException("process", "missing; hako-oci starts a container with its process");
        }
        Process process = process(processNode);
        JsonNode rootNode = Json.object(root.get("root"), "root");
        if (rootNode == null) {
            throw new InvalidConfigException("root", "missing; give root.path, the container's root file system");
        }
        Path rootPath = rootPath(Json.string(rootNode, "path", "root", true), bundle);
        boolean readonly = Json.bool(rootNode, "readonly", "root");
        Linux linux = linux(Json.object(root.get("linux"), "linux"));
        String hostname = Json.string(root, "hostname", "", false);
        String domainname = Json.string(root, "domainname", "", false);
        if ((hostname != null && !hostname.isEmpty()) || (domainname != null && !domainname.isEmpty())) {
            if (!linux.has(NamespaceType.UTS)) {
                throw new InvalidConfigException(hostname != null ? "hostname" : "domainname",
                        "set, but linux.namespaces has no uts namespace to hold it");
            }
        }
        if (!linux.has(NamespaceType.MOUNT)) {
            throw new InvalidConfigException("linux.namespaces", "has no mount namespace; hako-oci makes the"
                    + " container's root with pivot_root in a mount namespace of its own");
        }
        List<Mount> mounts = mounts(root);
        Map<String, List<Hook>> hooks = hooks(Json.object(root.get("hooks"), "hooks"));
        Map<String, String> annotations = Json.stringMap(root, "annotations", "");
        return new Config(version, process, rootPath, readonly, hostname, domainname, mounts, hooks, annotations, linux,
                root);
    }

    private static Path rootPath(String path, Path bundle) {
        Path given = Path.of(path);
        if (given.isAbsolute()) {
            return given.normalize();
        }
        Path base = bundle.toAbsolutePath().normalize();
        Path resolved = base.resolve(given).normalize();
        if (!resolved.startsWith(base)) {
            throw new InvalidConfigException("root.path", "\"" + path + "\" leads outside the bundle " + base
                    + "; a relative root path must stay inside it");
        }
        return resolved;
    }

    /**
     * Checks a process object on its own, as {@code exec --process FILE} gives one.
     *
     * @throws InvalidConfigException naming the JSON path and the rule broken
     */
    static Process parseProcess(JsonNode node) {
        JsonNode process = Json.object(node, "process");
        if (process == null) {
            throw new InvalidConfigException("process", "must be a JSON object");
        }
        return process(process);
    }

    private static Process process(JsonNode node) {
        boolean terminal = Json.bool(node, "terminal", "process");
        JsonNode user = Json.object(node.get("user"), "process.user");
        if (user == null) {
            throw new InvalidConfigException("process.user", "missing; give uid and gid");
        }
        long uid = requireId(user, "uid", "process.user");
        long gid = requireId(user, "gid", "process.user");
        Long umask = Json.integer(user, "umask", "process.user", 0, 0777);
        List<Long> groups = new ArrayList<>();
        JsonNode additional = Json.array(user, "additionalGids", "process.user");
        if (additional != null) {
            for (int i = 0; i < additional.size(); i++) {
                JsonNode g = additional.get(i);
                if (!g.isIntegralNumber() || g.asLong() < 0 || g.asLong() > 0xfffffffeL) {
                    throw new InvalidConfigException("process.user.additionalGids[" + i + "]",
                            "must be a group id 0..4294967294, not " + Json.kind(g));
                }
                groups.add(g.asLong());
            }
        }
        JsonNode argsNode = Json.array(node, "args", "process");
        if (argsNode == null || argsNode.isEmpty()) {
            throw new InvalidConfigException("process.args", argsNode == null
                    ? "missing; give the program to run and its arguments"
                    : "is empty; give the program to run and its arguments");
        }
        List<String> args = Json.strings(node, "args", "process");
        List<String> env = Json.strings(node, "env", "process");
        for (int i = 0; i < env.size(); i++) {
            int eq = env.get(i).indexOf('=');
            if (eq <= 0) {
                throw new InvalidConfigException("process.env[" + i + "]", "\"" + env.get(i)
                        + "\" is not NAME=VALUE");
            }
        }
        String cwd = Json.string(node, "cwd", "process", true);
        if (!cwd.startsWith("/")) {
            throw new InvalidConfigException("process.cwd", "\"" + cwd + "\" must be an absolute path");
        }
        Capabilities caps = capabilities(Json.object(node.get("capabilities"), "process.capabilities"));
        Map<Resource, long[]> rlimits = new EnumMap<>(Resource.class);
        JsonNode limits = Json.array(node, "rlimits", "process");
        if (limits != null) {
            for (int i = 0; i < limits.size(); i++) {
                String at = "process.rlimits[" + i + "]";
                JsonNode limit = Json.object(limits.get(i), at);
                String type = Json.string(limit, "type", at, true);
                Resource resource = null;
                for (Resource r : Resource.values()) {
                    if (r.cName().equals(type)) {
                        resource = r;
                    }
                }
                if (resource == null) {
                    throw new InvalidConfigException(at + ".type", "\"" + type + "\" is not a resource limit"
                            + " (RLIMIT_NOFILE, RLIMIT_NPROC, ...)");
                }
                if (rlimits.containsKey(resource)) {
                    throw new InvalidConfigException(at + ".type", "\"" + type + "\" is given twice");
                }
                long hard = Json.unsigned(limit, "hard", at);
                long soft = Json.unsigned(limit, "soft", at);
                if (Long.compareUnsigned(soft, hard) > 0) {
                    throw new InvalidConfigException(at, "soft limit " + Long.toUnsignedString(soft)
                            + " is above the hard limit " + Long.toUnsignedString(hard));
                }
                rlimits.put(resource, new long[] {soft, hard});
            }
        }
        boolean nnp = Json.bool(node, "noNewPrivileges", "process");
        Long oom = Json.integer(node, "oomScoreAdj", "process", -1000, 1000);
        for (String unsupported : List.of("apparmorProfile", "selinuxLabel", "ioPriority", "scheduler", "execCPUAffinity")) {
            JsonNode value = node.get(unsupported);
            if (value != null && !value.isNull() && !(value.isTextual() && value.asText().isEmpty())) {
                throw new InvalidConfigException("process." + unsupported, "is not supported by hako-oci");
            }
        }
        return new Process(terminal, uid, gid, umask == null ? null : umask.intValue(), groups, args, env, cwd, caps,
                rlimits, nnp, oom == null ? null : oom.intValue());
    }

    private static long requireId(JsonNode user, String field, String path) {
        Long id = Json.integer(user, field, path, 0, 0xfffffffeL);
        if (id == null) {
            throw new InvalidConfigException(path + "." + field, "missing; the runtime spec requires it");
        }
        return id;
    }

    private static Capabilities capabilities(JsonNode node) {
        if (node == null) {
            return null;
        }
        List<Set<Capability>> sets = new ArrayList<>();
        for (String name : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            String at = "process.capabilities." + name;
            List<String> names = Json.strings(node, name, "process.capabilities");
            EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
            for (int i = 0; i < names.size(); i++) {
                try {
                    set.add(Capability.of(names.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException(at + "[" + i + "]", "\"" + names.get(i)
                            + "\" is not a capability this kernel's bindings know");
                }
            }
            sets.add(set);
        }
        return new Capabilities(sets.get(0), sets.get(1), sets.get(2), sets.get(3), sets.get(4));
    }

    private static List<Mount> mounts(JsonNode root) {
        JsonNode node = Json.array(root, "mounts", "");
        List<Mount> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            String at = "mounts[" + i + "]";
            JsonNode mount = Json.object(node.get(i), at);
            String destination = Json.string(mount, "destination", at, true);
            if (!destination.startsWith("/")) {
                throw new InvalidConfigException(at + ".destination", "\"" + destination
                        + "\" must be an absolute path inside the container");
            }
            for (String part : destination.split("/")) {
                if (part.equals("..")) {
                    throw new InvalidConfigException(at + ".destination", "\"" + destination
                            + "\" has a \"..\" component; a destination must not walk out of the root");
                }
            }
            String type = Json.string(mount, "type", at, false);
            String source = Json.string(mount, "source", at, false);
            out.add(new Mount(destination, type == null ? "" : type, source, Json.strings(mount, "options", at)));
        }
        return out;
    }

    private static Map<String, List<Hook>> hooks(JsonNode node) {
        Map<String, List<Hook>> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        for (var entry : node.properties()) {
            if (!HOOK_KINDS.contains(entry.getKey())) {
                throw new InvalidConfigException("hooks." + entry.getKey(), "is not a hook kind (" + String.join(", ",
                        HOOK_KINDS) + ")");
            }
            JsonNode list = Json.array(node, entry.getKey(), "hooks");
            List<Hook> hooks = new ArrayList<>();
            for (int i = 0; list != null && i < list.size(); i++) {
                String at = "hooks." + entry.getKey() + "[" + i + "]";
                JsonNode hook = Json.object(list.get(i), at);
                String path = Json.string(hook, "path", at, true);
                if (!path.startsWith("/")) {
                    throw new InvalidConfigException(at + ".path", "\"" + path + "\" must be an absolute path");
                }
                Long timeout = Json.integer(hook, "timeout", at, 1, Integer.MAX_VALUE);
                hooks.add(new Hook(path, Json.strings(hook, "args", at), Json.strings(hook, "env", at),
                        timeout == null ? null : timeout.intValue()));
            }
            out.put(entry.getKey(), hooks);
        }
        return out;
    }

    private static Linux linux(JsonNode node) {
        if (node == null) {
            throw new InvalidConfigException("linux", "missing; hako-oci runs Linux containers and needs at least"
                    + " linux.namespaces");
        }
        List<Namespace> namespaces = new ArrayList<>();
        JsonNode list = Json.array(node, "namespaces", "linux");
        for (int i = 0; list != null && i < list.size(); i++) {
            String at = "linux.namespaces[" + i + "]";
            JsonNode ns = Json.object(list.get(i), at);
            String type = Json.string(ns, "type", at, true);
            NamespaceType kind = NAMESPACE_TYPES.get(type);
            if (kind == null) {
                throw new InvalidConfigException(at + ".type", "\"" + type + "\" is not a namespace type ("
                        + String.join(", ", NAMESPACE_TYPES.keySet()) + ")");
            }
            for (Namespace earlier : namespaces) {
                if (earlier.type() == kind) {
                    throw new InvalidConfigException(at + ".type", "\"" + type + "\" is listed twice");
                }
            }
            String path = Json.string(ns, "path", at, false);
            if (path != null && !path.startsWith("/")) {
                throw new InvalidConfigException(at + ".path", "\"" + path + "\" must be an absolute path");
            }
            namespaces.add(new Namespace(kind, path == null || path.isEmpty() ? null : path));
        }
        List<IdMap> uidMappings = idMappings(node, "uidMappings");
        List<IdMap> gidMappings = idMappings(node, "gidMappings");
        boolean newUserNs = namespaces.stream().anyMatch(ns -> ns.type() == NamespaceType.USER && ns.path() == null);
        if ((!uidMappings.isEmpty() || !gidMappings.isEmpty()) && !newUserNs) {
            throw new InvalidConfigException(uidMappings.isEmpty() ? "linux.gidMappings" : "linux.uidMappings",
                    "set, but linux.namespaces creates no user namespace to hold them");
        }
        if (newUserNs && (uidMappings.isEmpty() || gidMappings.isEmpty())) {
            throw new InvalidConfigException(uidMappings.isEmpty() ? "linux.uidMappings" : "linux.gidMappings",
                    "missing; a new user namespace needs uid and gid mappings");
        }
        List<Device> devices = new ArrayList<>();
        JsonNode deviceList = Json.array(node, "devices", "linux");
        for (int i = 0; deviceList != null && i < deviceList.size(); i++) {
            String at = "linux.devices[" + i + "]";
            JsonNode device = Json.object(deviceList.get(i), at);
            String path = Json.string(device, "path", at, true);
            if (!path.startsWith("/")) {
                throw new InvalidConfigException(at + ".path", "\"" + path + "\" must be an absolute path");
            }
            String type = Json.string(device, "type", at, true);
            if (!List.of("c", "b", "u", "p").contains(type)) {
                throw new InvalidConfigException(at + ".type", "\"" + type + "\" is not c, b, u or p");
            }
            Long major = Json.integer(device, "major", at, 0, 4095);
            Long minor = Json.integer(device, "minor", at, 0, 0xfffff);
            if (!type.equals("p") && (major == null || minor == null)) {
                throw new InvalidConfigException(at + (major == null ? ".major" : ".minor"), "missing; a " + (type
                        .equals("b") ? "block" : "character") + " device needs its major and minor numbers");
            }
            Long mode = Json.integer(device, "fileMode", at, 0, 07777);
            Long uid = Json.integer(device, "uid", at, 0, 0xfffffffeL);
            Long gid = Json.integer(device, "gid", at, 0, 0xfffffffeL);
            devices.add(new Device(path, type, major == null ? 0 : major, minor == null ? 0 : minor,
                    mode == null ? 0666 : mode.intValue(), uid == null ? 0 : uid, gid == null ? 0 : gid));
        }
        String cgroupsPath = Json.string(node, "cgroupsPath", "linux", false);
        Resources resources = resources(Json.object(node.get("resources"), "linux.resources"));
        Map<String, String> sysctl = Json.stringMap(node, "sysctl", "linux");
        JsonNode seccomp = Json.object(node.get("seccomp"), "linux.seccomp");
        List<String> masked = absolutePaths(node, "maskedPaths");
        List<String> readonly = absolutePaths(node, "readonlyPaths");
        String propagation = Json.string(node, "rootfsPropagation", "linux", false);
        for (String unsupported : List.of("intelRdt", "personality", "memoryPolicy", "netDevices")) {
            JsonNode value = node.get(unsupported);
            if (value != null && !value.isNull()) {
                throw new InvalidConfigException("linux." + unsupported, "is not supported by hako-oci");
            }
        }
        String mountLabel = Json.string(node, "mountLabel", "linux", false);
        if (mountLabel != null && !mountLabel.isEmpty()) {
            throw new InvalidConfigException("linux.mountLabel", "is not supported by hako-oci (no SELinux)");
        }
        return new Linux(namespaces, uidMappings, gidMappings, devices, cgroupsPath, resources, sysctl, seccomp, masked,
                readonly, propagation);
    }

    private static List<String> absolutePaths(JsonNode linux, String field) {
        List<String> paths = Json.strings(linux, field, "linux");
        for (int i = 0; i < paths.size(); i++) {
            if (!paths.get(i).startsWith("/")) {
                throw new InvalidConfigException("linux." + field + "[" + i + "]", "\"" + paths.get(i)
                        + "\" must be an absolute path inside the container");
            }
        }
        return paths;
    }

    private static List<IdMap> idMappings(JsonNode linux, String field) {
        JsonNode list = Json.array(linux, field, "linux");
        List<IdMap> out = new ArrayList<>();
        for (int i = 0; list != null && i < list.size(); i++) {
            String at = "linux." + field + "[" + i + "]";
            JsonNode map = Json.object(list.get(i), at);
            long inside = requireId(map, "containerID", at);
            long outside = requireId(map, "hostID", at);
            Long size = Json.integer(map, "size", at, 1, 0xffffffffL);
            if (size == null) {
                throw new InvalidConfigException(at + ".size", "missing; the runtime spec requires it");
            }
            IdMap current = new IdMap(inside, outside, size);
            for (int j = 0; j < out.size(); j++) {
                IdMap earlier = out.get(j);
                String side = overlaps(earlier.containerId(), earlier.size(), inside, size) ? "containerID"
                        : overlaps(earlier.hostId(), earlier.size(), outside, size) ? "hostID" : null;
                if (side != null) {
                    long start = side.equals("containerID") ? inside : outside;
                    long otherStart = side.equals("containerID") ? earlier.containerId() : earlier.hostId();
                    throw new InvalidConfigException(at, side + " range " + start + ".." + (start + size - 1)
                            + " overlaps linux." + field + "[" + j + "] (" + otherStart + ".."
                            + (otherStart + earlier.size() - 1) + ")");
                }
            }
            out.add(current);
        }
        return out;
    }

    private static boolean overlaps(long aStart, long aSize, long bStart, long bSize) {
        return aStart < bStart + bSize && bStart < aStart + aSize;
    }

    private static Resources resources(JsonNode node) {
        if (node == null) {
            return Resources.NONE;
        }
        for (String unsupported : List.of("blockIO", "hugepageLimits", "network", "rdma", "unified")) {
            JsonNode value = node.get(unsupported);
            if (value != null && !value.isNull() && !value.isEmpty()) {
                throw new InvalidConfigException("linux.resources." + unsupported, "is not supported by hako-oci");
            }
        }
        Long limit = null;
        Long reservation = null;
        Long swap = null;
        JsonNode memory = Json.object(node.get("memory"), "linux.resources.memory");
        if (memory != null) {
            limit = Json.integer(memory, "limit", "linux.resources.memory", -1, Long.MAX_VALUE);
            reservation = Json.integer(memory, "reservation", "linux.resources.memory", -1, Long.MAX_VALUE);
            swap = Json.integer(memory, "swap", "linux.resources.memory", -1, Long.MAX_VALUE);
            if (swap != null && swap >= 0 && (limit == null || limit < 0 || swap < limit)) {
                throw new InvalidConfigException("linux.resources.memory.swap", "memory+swap " + swap
                        + " needs a memory limit no larger than it");
            }
            for (String unsupported : List.of("kernel", "kernelTCP", "swappiness", "disableOOMKiller",
                    "useHierarchy", "checkBeforeUpdate")) {
                if (memory.get(unsupported) != null && !memory.get(unsupported).isNull()) {
                    throw new InvalidConfigException("linux.resources.memory." + unsupported,
                            "is not supported by hako-oci");
                }
            }
        }
        Long shares = null;
        Long quota = null;
        Long period = null;
        String cpus = null;
        String mems = null;
        JsonNode cpu = Json.object(node.get("cpu"), "linux.resources.cpu");
        if (cpu != null) {
            shares = Json.integer(cpu, "shares", "linux.resources.cpu", 2, 262144);
            quota = Json.integer(cpu, "quota", "linux.resources.cpu", -1, Long.MAX_VALUE);
            period = Json.integer(cpu, "period", "linux.resources.cpu", 1000, 1_000_000);
            cpus = Json.string(cpu, "cpus", "linux.resources.cpu", false);
            mems = Json.string(cpu, "mems", "linux.resources.cpu", false);
            for (String unsupported : List.of("realtimeRuntime", "realtimePeriod", "idle", "burst")) {
                if (cpu.get(unsupported) != null && !cpu.get(unsupported).isNull()) {
                    throw new InvalidConfigException("linux.resources.cpu." + unsupported,
                            "is not supported by hako-oci");
                }
            }
        }
        Long pids = null;
        JsonNode pidsNode = Json.object(node.get("pids"), "linux.resources.pids");
        if (pidsNode != null) {
            pids = Json.integer(pidsNode, "limit", "linux.resources.pids", Long.MIN_VALUE, Long.MAX_VALUE);
        }
        List<DeviceRule> rules = new ArrayList<>();
        JsonNode deviceRules = Json.array(node, "devices", "linux.resources");
        for (int i = 0; deviceRules != null && i < deviceRules.size(); i++) {
            String at = "linux.resources.devices[" + i + "]";
            JsonNode rule = Json.object(deviceRules.get(i), at);
            if (rule.get("allow") == null || !rule.get("allow").isBoolean()) {
                throw new InvalidConfigException(at + ".allow", "missing; give true or false");
            }
            String type = Json.string(rule, "type", at, false);
            if (type != null && !List.of("a", "b", "c").contains(type)) {
                throw new InvalidConfigException(at + ".type", "\"" + type + "\" is not a, b or c");
            }
            String access = Json.string(rule, "access", at, false);
            if (access != null && !access.chars().allMatch(c -> c == 'r' || c == 'w' || c == 'm')) {
                throw new InvalidConfigException(at + ".access", "\"" + access + "\" has letters other than r, w, m");
            }
            rules.add(new DeviceRule(rule.get("allow").asBoolean(), type == null ? "a" : type,
                    Json.integer(rule, "major", at, -1, Integer.MAX_VALUE),
                    Json.integer(rule, "minor", at, -1, Integer.MAX_VALUE),
                    access == null || access.isEmpty() ? "rwm" : access));
        }
        return new Resources(limit, reservation, swap, shares, quota, period, cpus, mems, pids, rules);
    }

    private static Map<String, NamespaceType> namespaceTypes() {
        Map<String, NamespaceType> map = new LinkedHashMap<>();
        map.put("pid", NamespaceType.PID);
        map.put("network", NamespaceType.NET);
        map.put("mount", NamespaceType.MOUNT);
        map.put("ipc", NamespaceType.IPC);
        map.put("uts", NamespaceType.UTS);
        map.put("user", NamespaceType.USER);
        map.put("cgroup", NamespaceType.CGROUP);
        map.put("time", NamespaceType.TIME);
        return java.util.Collections.unmodifiableMap(map);
    }
}
