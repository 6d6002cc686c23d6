package dev.hako.checkpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Which descriptors the dump's rseq fix-up accepts, with the kernel's checks and reasons. */
class RseqSectionTest {

    private static final int SIGNATURE = 0x53053053;
    private static final RseqSection SECTION = new RseqSection(0, 0, 0x401000, 0x20, 0x401100);

    @Test
    void aDescriptorIsReadAtLinuxRseqHOffsets() {
        byte[] raw = new byte[RseqSection.SIZE];
        MemorySegment s = MemorySegment.ofArray(raw);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 2);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0x401000);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0x20);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 24, 0x401100);
        assertThat(RseqSection.of(raw)).isEqualTo(new RseqSection(0, 2, 0x401000, 0x20, 0x401100));
    }

    @Test
    void theSectionHoldsItsStartButNotItsPostCommitAddress() {
        assertThat(SECTION.contains(0x401000)).isTrue();
        assertThat(SECTION.contains(0x40101f)).isTrue();
        assertThat(SECTION.contains(0x401020)).isFalse();
        assertThat(SECTION.contains(0x400fff)).isFalse();
        assertThat(SECTION.describe()).isEqualTo("[0x401000, 0x401020) aborting to 0x401100");
    }

    @Test
    void aValidDescriptorWithTheRegisteredSignatureHasNoProblem() {
        assertThat(SECTION.problem(SIGNATURE, SIGNATURE)).isNull();
    }

    @Test
    void eachDescriptorTheKernelRefusesIsNamed() {
        assertThat(SECTION.problem(0x12345678, SIGNATURE))
                .isEqualTo("signature 0x12345678 before its abort handler, not the registered 0x53053053");
        assertThat(new RseqSection(1, 0, 0x401000, 0x20, 0x401100).problem(SIGNATURE, SIGNATURE))
                .isEqualTo("version 1 (only 0 exists)");
        assertThat(new RseqSection(0, 1, 0x401000, 0x20, 0x401100).problem(SIGNATURE, SIGNATURE))
                .isEqualTo("flags 0x1 (the kernel accepts none)");
        assertThat(new RseqSection(0, 0, 0x401000, 0x20, 0x401010).problem(SIGNATURE, SIGNATURE))
                .isEqualTo("its abort handler inside the section");
        assertThat(new RseqSection(0, 0, -16, 0x20, 0x401100).problem(SIGNATURE, SIGNATURE))
                .isEqualTo("a section that wraps around the address space");
    }
}
