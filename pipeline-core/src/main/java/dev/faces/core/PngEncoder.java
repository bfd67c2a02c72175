package dev.faces.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A plain-Java PNG writer (8-bit truecolour, one IDAT chunk). ImageIO's PNG writer needs AWT, which a native
 * image of the generator does not have; java.util.zip works everywhere, so the faces are encoded here.
 * Rows use the Sub filter, which suits photographs and costs one subtraction per byte.
 */
public final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int FILTER_SUB = 1;

    private PngEncoder() {
    }

    public static byte[] encode(RgbImage image) {
        int stride = 3 * image.width();
        byte[] filtered = new byte[image.height() * (stride + 1)];
        byte[] rgb = image.rgb();
        for (int y = 0; y < image.height(); y++) {
            int in = y * stride;
            int out = y * (stride + 1);
            filtered[out++] = FILTER_SUB;
            System.arraycopy(rgb, in, filtered, out, 3);
            for (int i = 3; i < stride; i++) {
                filtered[out + i] = (byte) (rgb[in + i] - rgb[in + i - 3]);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream(filtered.length / 2 + 64);
        png.writeBytes(SIGNATURE);
        ByteBuffer header = ByteBuffer.allocate(13).putInt(image.width()).putInt(image.height())
                .put((byte) 8)   // bit depth
                .put((byte) 2)   // colour type: truecolour
                .put((byte) 0)   // deflate
                .put((byte) 0)   // adaptive filtering
                .put((byte) 0);  // no interlace
        chunk(png, "IHDR", header.array());
        chunk(png, "IDAT", deflate(filtered));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
            byte[] buffer = new byte[16 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
