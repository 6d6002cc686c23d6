package dev.hako.syscalls.calls;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Reads what an encoded argument word points to. */
final class Memory {

    private Memory() {
    }

    static MemorySegment at(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    static String string(long address) {
        return MemorySegment.ofAddress(address).reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }
}
