package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void bytesHelpersScaleAndRender() {
        assertThat(Bytes.kib(4).value()).isEqualTo(4096);
        assertThat(Bytes.mib(64).value()).isEqualTo(67_108_864);
        assertThat(Bytes.gib(2).value()).isEqualTo(2L << 30);
        assertThat(Bytes.mib(32).v2()).isEqualTo("33554432");
        assertThat(Bytes.MAX.v2()).isEqualTo("max");
        assertThat(Bytes.MAX.v1()).isEqualTo("-1");
        assertThat(Bytes.mib(64)).hasToString("64 MiB");
        assertThat(Bytes.parse("max\n")).isEqualTo(Bytes.MAX);
        assertThat(Bytes.parse("4096")).isEqualTo(Bytes.kib(4));
    }

    @Test
    void negativeSizesAreRejectedWithTheRule() {
        assertThatThrownBy(() -> Bytes.of(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("negative size -1 bytes: a size is 0 or more bytes");
        assertThatThrownBy(() -> Bytes.mib(-64)).hasMessage("negative size -64 MiB: a size is 0 or more bytes");
    }

    @Test
    void overflowingSizesAreRejected() {
        assertThatThrownBy(() -> Bytes.gib(Long.MAX_VALUE / 1024))
                .hasMessageContaining("GiB does not fit in 64 bits of bytes");
        assertThatThrownBy(() -> Bytes.parse("18446744073709551616"))
                .isInstanceOf(CgroupFormatException.class)
                .hasMessage("size '18446744073709551616' does not fit in a signed 64-bit integer");
    }

    @Test
    void indexListParsesAndPrintsTheKernelSyntax() {
        IndexList list = IndexList.parse("0-3,8\n");
        assertThat(list.numbers()).containsExactly(0, 1, 2, 3, 8);
        assertThat(list).hasToString("0-3,8");
        assertThat(IndexList.parse("8,1,2,3,0")).hasToString("0-3,8");
        assertThat(IndexList.parse("")).hasToString("").matches(IndexList::isEmpty);
        assertThat(IndexList.parse("5")).hasToString("5");
        assertThat(IndexList.range(2, 4).isSubsetOf(IndexList.parse("0-7"))).isTrue();
        assertThat(IndexList.parse("0-1,6").minus(IndexList.parse("0-1"))).hasToString("6");
    }

    @Test
    void malformedIndexListsAreRejected() {
        assertThatThrownBy(() -> IndexList.parse("3-1")).hasMessage("reversed range '3-1' in list '3-1'");
        assertThatThrownBy(() -> IndexList.parse("0,,1")).hasMessage("empty element in list '0,,1'");
        assertThatThrownBy(() -> IndexList.parse("a-b")).hasMessage("'a' in list 'a-b' is not a number");
        assertThatThrownBy(() -> IndexList.parse("0-99999999999"))
                .hasMessage("number 99999999999 in list '0-99999999999' is above 65536");
    }

    @Test
    void deviceNumbersParseAndResolveBlockDevices() throws Exception {
        assertThat(DeviceNumber.parse("8:16")).isEqualTo(new DeviceNumber(8, 16));
        assertThatThrownBy(() -> DeviceNumber.parse("8")).hasMessage("device '8' is not major:minor");
        assertThatThrownBy(() -> DeviceNumber.of(java.nio.file.Path.of("/dev/null")))
                .hasMessage("/dev/null is not a block device: io limits name block devices");
        java.nio.file.Path loop0 = java.nio.file.Path.of("/dev/loop0");
        if (java.nio.file.Files.exists(loop0)) {
            assertThat(DeviceNumber.of(loop0)).isEqualTo(new DeviceNumber(7, 0));
        }
    }
}
