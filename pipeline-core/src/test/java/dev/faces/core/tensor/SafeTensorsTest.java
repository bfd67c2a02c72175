package dev.faces.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafeTensorsTest {

    @Test
    void readsTheReferenceLayout() {
        SafeTensors.Contents c = SafeTensors.read(Fixtures.bytes("state_dict.safetensors"));
        assertThat(c.metadata()).containsEntry("format", "pt");
        assertThat(c.tensors().keySet()).containsExactly("main.0.weight", "main.1.num_batches_tracked");
        SafeTensor w = c.require("main.0.weight");
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.floats()).containsExactly(0f, 0.5f, 1f, 1.5f, 2f, 2.5f);
        SafeTensor n = c.require("main.1.num_batches_tracked");
        assertThat(n.shape()).isEmpty();
        assertThat(n.longs()).containsExactly(42L);
    }

    @Test
    void writesTheReferenceLayoutByteForByte() {
        byte[] reference = Fixtures.bytes("state_dict.safetensors");
        SafeTensors.Contents c = SafeTensors.read(reference);
        assertThat(SafeTensors.write(c.tensors(), c.metadata())).isEqualTo(reference);
    }

    @Test
    void headerLengthIsAMultipleOfEight() {
        Map<String, SafeTensor> t = Map.of("x", SafeTensor.f32(new float[] {1, 2, 3}, 3));
        byte[] out = SafeTensors.write(t, Map.of());
        long n = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        assertThat(SafeTensors.read(out).require("x").floats()).containsExactly(1f, 2f, 3f);
    }

    @Test
    void missingTensorIsNamed() {
        SafeTensors.Contents c = SafeTensors.read(Fixtures.bytes("state_dict.safetensors"));
        assertThatThrownBy(() -> c.require("main.3.weight")).hasMessage("tensor 'main.3.weight' is missing");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "too short       | truncated safetensors file: 5 bytes, too short for the 8-byte header length",
        "huge header     | safetensors header length 1099511627776 is too large; at most 16777216 bytes are accepted",
        "header past end | truncated safetensors file: the header needs 184 bytes, 100 remain",
        "not json        | safetensors header is not a JSON object (starts with '[1,2]')",
        "bad json        | safetensors header is not valid JSON: Unexpected end-of-input",
        "overlap         | tensors 'a' and 'b' overlap: 'b' begins at 4 before 'a' ends at 8",
        "gap             | gap in the data: 4 bytes before tensor 'b' belong to no tensor",
        "past end        | tensor 'b' ends at 16, past the end of the data (12 bytes): the file is truncated",
        "trailing        | 4 bytes after the last tensor belong to no tensor",
        "dtype           | tensor 'a': unsupported dtype BF16; supported: [F32, I64]",
        "shape mismatch  | tensor 'a': shape [3] of F32 needs 12 bytes, but data_offsets span 8",
        "duplicate       | safetensors header is not valid JSON: Duplicate field 'a'",
        "metadata        | __metadata__ value 'epoch' must be a string",
        "offsets order   | tensor 'a': data_offsets [8, 0] are out of order",
    })
    void rejectsMalformedFilesWithTheirOwnMessage(String kase, String message) {
        byte[] bad = switch (kase) {
            case "too short" -> new byte[5];
            case "huge header" -> file(1L << 40, "{}", 0);
            case "header past end" -> Arrays.copyOf(Fixtures.bytes("state_dict.safetensors"), 108);
            case "not json" -> file("[1,2]", 0);
            case "bad json" -> file("{\"a\":{", 0);
            case "overlap" -> file(two("F32", "[2]", "[0,8]", "[4,12]"), 12);
            case "gap" -> file(two("F32", "[1]", "[0,4]", "[8,12]"), 12);
            case "past end" -> file(two("F32", "[2]", "[0,8]", "[8,16]"), 12);
            case "trailing" -> file(two("F32", "[2]", "[0,8]", "[8,16]"), 20);
            case "dtype" -> file("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
            case "shape mismatch" -> file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
            case "duplicate" -> file("{\"a\":{},\"a\":{}}", 0);
            case "metadata" -> file("{\"__metadata__\":{\"epoch\":3}}", 0);
            case "offsets order" -> file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8);
            default -> throw new IllegalArgumentException(kase);
        };
        assertThatThrownBy(() -> SafeTensors.read(bad)).isInstanceOf(TensorFormatException.class)
                .message().startsWith(message); // JSON errors go on with the parser's location
    }

    private static String two(String dtype, String shapeA, String offA, String offB) {
        return "{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shapeA + ",\"data_offsets\":" + offA + "},"
                + "\"b\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shapeA + ",\"data_offsets\":" + offB + "}}";
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, header, dataBytes);
    }

    private static byte[] file(long declaredLen, String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLen).put(h);
        return b.array();
    }

    @Test
    void roundTripsManyTensorsInNameOrder() {
        Map<String, SafeTensor> in = new LinkedHashMap<>();
        in.put("z", SafeTensor.i64(new long[] {7}, new long[0]));
        in.put("a", SafeTensor.f32(new float[] {1, 2, 3, 4}, 2, 2));
        SafeTensors.Contents out = SafeTensors.read(SafeTensors.write(in, Map.of("k", "v")));
        assertThat(out.tensors().keySet()).containsExactly("a", "z");
        assertThat(out.tensors()).containsAllEntriesOf(in);
        assertThat(out.metadata()).containsEntry("k", "v");
    }
}
