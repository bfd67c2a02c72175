package dev.faces.core.tensor;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the tensor bytes back to back. F32 and I64 tensors are supported, which is
 * what a DCGAN state_dict holds (weights and BN num_batches_tracked).
 */
public final class SafeTensors {
    /** Headers bigger than this are refused; a DCGAN header is a few KiB. */
    public static final long MAX_HEADER_BYTES = 16L << 20;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private SafeTensors() {
    }

    /** The contents of a file: tensors in file order, and the free-form string metadata. */
    public record Contents(Map<String, SafeTensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Map.copyOf(metadata);
        }

        public SafeTensor require(String name) {
            SafeTensor t = tensors.get(name);
            if (t == null) {
                throw new TensorFormatException("tensor '" + name + "' is missing");
            }
            return t;
        }
    }

    public static byte[] write(Map<String, SafeTensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        Map<String, SafeTensor> sorted = new TreeMap<>(tensors);
        long offset = 0;
        for (Map.Entry<String, SafeTensor> e : sorted.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", e.getValue().dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long end = offset + e.getValue().data().length;
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        sorted.values().forEach(t -> out.put(t.data()));
        return out.array();
    }

    public static Contents read(byte[] bytes) {
        if (bytes.length < 8) {
            throw new TensorFormatException("truncated safetensors file: " + bytes.length
                    + " bytes, too short for the 8-byte header length");
        }
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new TensorFormatException("safetensors header length " + Long.toUnsignedString(headerLen)
                    + " is too large; at most " + MAX_HEADER_BYTES + " bytes are accepted");
        }
        if (headerLen > bytes.length - 8) {
            throw new TensorFormatException("truncated safetensors file: the header needs " + headerLen + " bytes, "
                    + (bytes.length - 8) + " remain");
        }
        JsonNode header = parseHeader(bytes, (int) headerLen);
        int dataStart = 8 + (int) headerLen;
        long dataLen = bytes.length - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (METADATA.equals(field.getKey())) {
                readMetadata(field.getValue(), metadata);
            } else {
                entries.add(entry(field.getKey(), field.getValue()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        Entry previous = null;
        for (Entry e : entries) {
            if (e.begin < expectedBegin) {
                throw new TensorFormatException("tensors '" + previous.name + "' and '" + e.name + "' overlap: '" + e.name
                        + "' begins at " + e.begin + " before '" + previous.name + "' ends at " + expectedBegin);
            }
            if (e.begin > expectedBegin) {
                throw new TensorFormatException("gap in the data: " + (e.begin - expectedBegin) + " bytes before tensor '"
                        + e.name + "' belong to no tensor");
            }
            if (e.end > dataLen) {
                throw new TensorFormatException("tensor '" + e.name + "' ends at " + e.end
                        + ", past the end of the data (" + dataLen + " bytes): the file is truncated");
            }
            expectedBegin = e.end;
            previous = e;
        }
        if (expectedBegin != dataLen) {
            throw new TensorFormatException((dataLen - expectedBegin) + " bytes after the last tensor belong to no tensor");
        }
        Map<String, SafeTensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            byte[] data = Arrays.copyOfRange(bytes, dataStart + (int) e.begin, dataStart + (int) e.end);
            tensors.put(e.name, new SafeTensor(e.dtype, e.shape, data));
        }
        return new Contents(tensors, metadata);
    }

    private record Entry(String name, SafeTensor.DType dtype, long[] shape, long begin, long end) {
    }

    private static JsonNode parseHeader(byte[] bytes, int len) {
        String text = new String(bytes, 8, len, StandardCharsets.UTF_8);
        if (!text.startsWith("{")) {
            throw new TensorFormatException("safetensors header is not a JSON object (starts with '"
                    + text.substring(0, Math.min(16, text.length())).replaceAll("\\p{Cntrl}", "?") + "')");
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new TensorFormatException("safetensors header is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new TensorFormatException("safetensors header is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static void readMetadata(JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw new TensorFormatException("__metadata__ must be an object of strings");
        }
        node.fields().forEachRemaining(f -> {
            if (!f.getValue().isTextual()) {
                throw new TensorFormatException("__metadata__ value '" + f.getKey() + "' must be a string");
            }
            into.put(f.getKey(), f.getValue().asText());
        });
    }

    private static Entry entry(String name, JsonNode node) {
        if (!node.isObject()) {
            throw new TensorFormatException("tensor '" + name + "': header entry must be an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual() || shapeNode == null || !shapeNode.isArray()
                || offsets == null || !offsets.isArray()) {
            throw new TensorFormatException("tensor '" + name + "': needs dtype (string), shape (array) and data_offsets (array)");
        }
        SafeTensor.DType dtype;
        try {
            dtype = SafeTensor.DType.valueOf(dtypeNode.asText());
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException("tensor '" + name + "': unsupported dtype " + dtypeNode.asText()
                    + "; supported: " + Arrays.toString(SafeTensor.DType.values()));
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new TensorFormatException("tensor '" + name + "': bad dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        if (offsets.size() != 2 || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new TensorFormatException("tensor '" + name + "': data_offsets must be two integers [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new TensorFormatException("tensor '" + name + "': data_offsets [" + begin + ", " + end + "] are out of order");
        }
        long needed;
        try {
            needed = Math.multiplyExact(SafeTensor.elementCount(shape), (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new TensorFormatException("tensor '" + name + "': shape " + shapeNode + " is too large");
        }
        if (needed != end - begin) {
            throw new TensorFormatException("tensor '" + name + "': shape " + shapeNode + " of " + dtype + " needs "
                    + needed + " bytes, but data_offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }
}
