package dev.hako.cgroupfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Orders v1 memory writes so each is valid when made: the kernel requires
 * {@code memory.limit_in_bytes <= memory.memsw.limit_in_bytes} after every write, so a
 * raised limit must follow the raised memsw limit, and a lowered memsw must follow the lowered limit.
 */
final class MemoryOrder {
    private MemoryOrder() {
    }

    static List<Setting> v1(List<Setting> settings, Path dir) throws IOException {
        Setting limit = find(settings, "memory.limit_in_bytes");
        Setting memsw = find(settings, "memory.memsw.limit_in_bytes");
        Path memswFile = dir.resolve("memory.memsw.limit_in_bytes");
        if (limit == null || memsw == null || !Files.exists(memswFile)) {
            return settings;
        }
        long currentMemsw = unlimitedAsMax(ControlFiles.readLine(memswFile));
        if (unlimitedAsMax(limit.value()) <= currentMemsw) {
            return settings;
        }
        List<Setting> out = new ArrayList<>(settings);
        out.remove(memsw);
        out.add(out.indexOf(limit), memsw);
        return out;
    }

    private static long unlimitedAsMax(String value) {
        long v = Numbers.parseLong(value.strip(), "memory limit");
        return v < 0 ? Long.MAX_VALUE : v;
    }

    private static Setting find(List<Setting> settings, String file) {
        return settings.stream().filter(s -> s.file().equals(file)).findFirst().orElse(null);
    }
}
