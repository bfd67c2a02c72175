package dev.faces.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NpyTest {

    @Test
    void readsUint8WrittenByNumpy() {
        NpyArray a = Npy.read(Fixtures.bytes("uint8_2x3x4x4.npy"), NpyArray.DType.UINT8, -1, 3, 4, 4);
        assertThat(a.shape()).containsExactly(2, 3, 4, 4);
        for (int i = 0; i < 96; i++) {
            assertThat(a.data()[i] & 0xFF).isEqualTo(i);
        }
    }

    @Test
    void readsFloat32Version1And2WrittenByNumpy() {
        NpyArray v1 = Npy.read(Fixtures.bytes("float32_7.npy"));
        assertThat(v1.shape()).containsExactly(7);
        assertThat(v1.floats()).containsExactly(-0.75f, -0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f);

        NpyArray v2 = Npy.read(Fixtures.bytes("float32_3x5_v2.npy"));
        assertThat(v2.shape()).containsExactly(3, 5);
        float[] f = v2.floats();
        assertThat(f[0]).isEqualTo(-1f);
        assertThat(f[14]).isEqualTo(1f);
        assertThat(f[7]).isEqualTo(0f);
    }

    @Test
    void writesTheSameBytesAsNumpy() {
        for (String name : new String[] {"uint8_2x3x4x4.npy", "float32_7.npy"}) {
            byte[] numpy = Fixtures.bytes(name);
            assertThat(Npy.write(Npy.read(numpy))).as(name).isEqualTo(numpy);
        }
        byte[] v2 = Fixtures.bytes("float32_3x5_v2.npy");
        assertThat(Npy.write(Npy.read(v2), 2)).isEqualTo(v2);
    }

    @Test
    void theHeaderAloneIsWhatAFileOfThatShapeStartsWith() {
        byte[] numpy = Fixtures.bytes("uint8_2x3x4x4.npy");
        byte[] header = Npy.header(NpyArray.DType.UINT8, 2, 3, 4, 4);
        assertThat(header).isEqualTo(java.util.Arrays.copyOf(numpy, numpy.length - 2 * 3 * 4 * 4));
    }

    @Test
    void headerIsAlignedTo64Bytes() {
        byte[] out = Npy.write(NpyArray.uint8(new byte[12 * 64], 12, 64));
        int headerLen = (out[8] & 0xFF) | (out[9] & 0xFF) << 8;
        assertThat((10 + headerLen) % 64).isZero();
        assertThat(out[10 + headerLen - 1]).isEqualTo((byte) '\n');
    }

    @Test
    void rejectsWrongShapeOrDtypeWhenAskedForOne() {
        byte[] file = Fixtures.bytes("uint8_2x3x4x4.npy");
        assertThatThrownBy(() -> Npy.read(file, NpyArray.DType.UINT8, -1, 3, 64, 64))
                .hasMessage("expected shape [*, 3, 64, 64], file has [2, 3, 4, 4]");
        assertThatThrownBy(() -> Npy.read(file, NpyArray.DType.FLOAT32, -1, 3, 4, 4))
                .hasMessage("expected dtype FLOAT32, file has UINT8");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', value = {
        "bad magic        # not an .npy file: it does not start with \\x93NUMPY",
        "version 3        # unsupported .npy format version 3.0; versions 1.0 and 2.0 are read",
        "huge header      # the .npy header is 60000 bytes; at most 10000 are accepted",
        "truncated header # truncated .npy file: the header needs 118 bytes, 40 remain",
        "truncated data   # truncated .npy file: shape (2, 3, 4, 4) of UINT8 needs 96 data bytes, 50 remain",
        "trailing bytes   # .npy file has 3 bytes after the data of shape (2, 3, 4, 4)",
        "fortran order    # Fortran-order arrays are not supported; save in C order",
        "float64          # unsupported dtype '<f8'; supported: '|u1' (uint8), '<f4' (float32)",
        "big endian       # unsupported dtype '>f4'; supported: '|u1' (uint8), '<f4' (float32)",
        "not a dict       # malformed .npy header: ['descr', 'shape']",
        "negative dim     # bad dimension '-2' in shape (-2, 3, 4, 4)",
    })
    void rejectsMalformedFilesWithTheirOwnMessage(String kase, String message) {
        byte[] good = Fixtures.bytes("uint8_2x3x4x4.npy");
        byte[] bad = switch (kase) {
            case "bad magic" -> replace(good, 0, new byte[] {'P', 'K'});
            case "version 3" -> replace(good, 6, new byte[] {3});
            case "huge header" -> replace(good, 8, new byte[] {(byte) 0x60, (byte) 0xEA});
            case "truncated header" -> Arrays.copyOf(good, 50);
            case "truncated data" -> Arrays.copyOf(good, good.length - 46);
            case "trailing bytes" -> Arrays.copyOf(good, good.length + 3);
            case "fortran order" -> header(good, "'fortran_order': False", "'fortran_order': True ");
            case "float64" -> header(good, "|u1", "<f8");
            case "big endian" -> header(good, "|u1", ">f4");
            case "not a dict" -> replaceHeader(good, "['descr', 'shape']");
            case "negative dim" -> header(good, "(2, 3,", "(-2, 3,").clone();
            default -> throw new IllegalArgumentException(kase);
        };
        if (kase.equals("negative dim")) {
            bad = fixPadding(bad);
        }
        byte[] input = bad;
        assertThatThrownBy(() -> Npy.read(input)).isInstanceOf(TensorFormatException.class).hasMessage(message);
    }

    private static byte[] replace(byte[] src, int at, byte[] with) {
        byte[] out = src.clone();
        System.arraycopy(with, 0, out, at, with.length);
        return out;
    }

    private static byte[] header(byte[] src, String from, String to) {
        String s = new String(src, StandardCharsets.ISO_8859_1);
        return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Drops one padding space so a header edit that added a character keeps the declared length. */
    private static byte[] fixPadding(byte[] src) {
        String s = new String(src, StandardCharsets.ISO_8859_1);
        return s.replaceFirst(" \n", "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] replaceHeader(byte[] src, String dict) {
        int len = (src[8] & 0xFF) | (src[9] & 0xFF) << 8;
        byte[] out = src.clone();
        byte[] text = (dict + " ".repeat(len - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, out, 10, text.length);
        return out;
    }
}
