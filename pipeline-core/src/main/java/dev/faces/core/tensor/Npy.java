package dev.faces.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NumPy .npy format, versions 1.0 and 2.0, for uint8 and little-endian float32 arrays in C order.
 * Files written here load with {@code numpy.load}; files numpy writes for these dtypes read here.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy's own default limit on a header it will parse. */
    public static final int MAX_HEADER_BYTES = 10_000;
    private static final int ALIGN = 64;
    private static final Pattern HEADER = Pattern.compile(
            "\\{\\s*(?:'(descr|fortran_order|shape)'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))\\s*,?\\s*){3}\\}\\s*");
    private static final Pattern ENTRY = Pattern.compile(
            "'(descr|fortran_order|shape)'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))");

    private Npy() {
    }

    public static byte[] write(NpyArray array) {
        return write(array, 1);
    }

    /** Writes format version {@code major}.0; version 1 is used unless the header needs 2. */
    public static byte[] write(NpyArray array, int major) {
        byte[] header = header(array.dtype(), major, array.shape());
        byte[] out = java.util.Arrays.copyOf(header, header.length + array.data().length);
        System.arraycopy(array.data(), 0, out, header.length, array.data().length);
        return out;
    }

    /**
     * The bytes a .npy file of this dtype and shape starts with (version 1, or 2 when the header needs it): for a
     * writer that puts the data behind them itself, such as the ingest's shards.
     */
    public static byte[] header(NpyArray.DType dtype, int... shape) {
        return header(dtype, 1, shape);
    }

    private static byte[] header(NpyArray.DType dtype, int major, int[] shape) {
        if (major != 1 && major != 2) {
            throw new IllegalArgumentException("npy format version must be 1 or 2, was " + major);
        }
        String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': "
                + shapeLiteral(shape) + ", }";
        int prefix = MAGIC.length + 2 + (major == 1 ? 2 : 4);
        int headerLen = dict.length() + 1;
        int padded = headerLen + (ALIGN - (prefix + headerLen) % ALIGN) % ALIGN;
        if (major == 1 && padded > 0xFFFF) {
            return header(dtype, 2, shape);
        }
        ByteBuffer out = ByteBuffer.allocate(prefix + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) padded);
        } else {
            out.putInt(padded);
        }
        out.put(dict.getBytes(StandardCharsets.US_ASCII));
        for (int i = headerLen; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /** Reads and checks an array of the given dtype and shape; -1 in {@code shape} matches any size. */
    public static NpyArray read(byte[] bytes, NpyArray.DType dtype, int... shape) {
        NpyArray array = read(bytes);
        if (array.dtype() != dtype) {
            throw new TensorFormatException("expected dtype " + dtype + ", file has " + array.dtype());
        }
        int[] actual = array.shape();
        boolean ok = actual.length == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] == -1 || shape[i] == actual[i];
        }
        if (!ok) {
            throw new TensorFormatException("expected shape " + Arrays.toString(shape).replace("-1", "*")
                    + ", file has " + Arrays.toString(actual));
        }
        return array;
    }

    public static NpyArray read(byte[] bytes) {
        if (bytes.length < MAGIC.length + 4 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new TensorFormatException("not an .npy file: it does not start with \\x93NUMPY");
        }
        int major = bytes[6] & 0xFF;
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position(8);
        long headerLen;
        if (major == 1) {
            headerLen = buf.getShort() & 0xFFFF;
        } else if (major == 2) {
            if (buf.remaining() < 4) {
                throw new TensorFormatException("truncated .npy file: the header length is cut off");
            }
            headerLen = buf.getInt() & 0xFFFFFFFFL;
        } else {
            throw new TensorFormatException("unsupported .npy format version " + major + "." + (bytes[7] & 0xFF)
                    + "; versions 1.0 and 2.0 are read");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new TensorFormatException("the .npy header is " + headerLen + " bytes; at most " + MAX_HEADER_BYTES
                    + " are accepted");
        }
        if (headerLen > buf.remaining()) {
            throw new TensorFormatException("truncated .npy file: the header needs " + headerLen + " bytes, "
                    + buf.remaining() + " remain");
        }
        String header = new String(bytes, buf.position(), (int) headerLen, StandardCharsets.ISO_8859_1);
        buf.position(buf.position() + (int) headerLen);
        if (!HEADER.matcher(header).matches()) {
            throw new TensorFormatException("malformed .npy header: " + header.strip());
        }
        String descr = null;
        String fortran = null;
        String shapeText = null;
        Matcher m = ENTRY.matcher(header);
        while (m.find()) {
            switch (m.group(1)) {
                case "descr" -> descr = m.group(2);
                case "fortran_order" -> fortran = m.group(2);
                default -> shapeText = m.group(2);
            }
        }
        if (descr == null || fortran == null || shapeText == null) {
            throw new TensorFormatException("malformed .npy header (needs descr, fortran_order and shape): " + header.strip());
        }
        if (!"False".equals(fortran)) {
            throw new TensorFormatException("Fortran-order arrays are not supported; save in C order");
        }
        NpyArray.DType dtype = dtype(descr.substring(1, descr.length() - 1));
        int[] shape = parseShape(shapeText);
        long expected;
        try {
            expected = Math.multiplyExact(NpyArray.elementCount(shape), (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new TensorFormatException("shape " + shapeText + " is too large");
        }
        if (expected > buf.remaining()) {
            throw new TensorFormatException("truncated .npy file: shape " + shapeText + " of " + dtype + " needs "
                    + expected + " data bytes, " + buf.remaining() + " remain");
        }
        if (expected < buf.remaining()) {
            throw new TensorFormatException(".npy file has " + (buf.remaining() - expected)
                    + " bytes after the data of shape " + shapeText);
        }
        byte[] data = Arrays.copyOfRange(bytes, buf.position(), bytes.length);
        return new NpyArray(dtype, shape, data);
    }

    private static NpyArray.DType dtype(String descr) {
        return switch (descr) {
            case "|u1", "u1", "<u1" -> NpyArray.DType.UINT8;
            case "<f4" -> NpyArray.DType.FLOAT32;
            default -> throw new TensorFormatException("unsupported dtype '" + descr + "'; supported: '|u1' (uint8), '<f4' (float32)");
        };
    }

    private static int[] parseShape(String text) {
        String inner = text.substring(1, text.length() - 1).trim();
        List<Integer> dims = new ArrayList<>();
        if (!inner.isEmpty()) {
            for (String part : inner.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                if (!p.matches("\\d{1,10}") || Long.parseLong(p) > Integer.MAX_VALUE) {
                    throw new TensorFormatException("bad dimension '" + p + "' in shape " + text);
                }
                dims.add(Integer.parseInt(p));
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String shapeLiteral(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }
}
