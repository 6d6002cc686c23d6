package dev.hako.cgroupfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Assembled eBPF instructions, with optional comments per instruction for the listing.
 *
 * @param instructions the instructions, jumps resolved
 * @param comments instruction index to comment
 */
record EbpfProgram(List<EbpfInstruction> instructions, Map<Integer, String> comments) {
    EbpfProgram {
        instructions = List.copyOf(instructions);
        comments = Map.copyOf(comments);
    }

    /** {@return the instructions encoded for bpf(BPF_PROG_LOAD), 8 bytes each} */
    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(instructions.size() * EbpfInstruction.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (EbpfInstruction instruction : instructions) {
            instruction.encode(out);
        }
        return out.array();
    }

    /** {@return one line per instruction: index, the verifier's notation, and its comment} */
    List<String> listing() {
        int width = Integer.toString(instructions.size() - 1).length();
        String format = "%" + width + "d: %-36s";
        return java.util.stream.IntStream.range(0, instructions.size()).mapToObj(i -> {
            String line = String.format(format, i, instructions.get(i).text(i));
            String comment = comments.get(i);
            return (comment == null ? line : line + " ; " + comment).stripTrailing();
        }).toList();
    }
}
