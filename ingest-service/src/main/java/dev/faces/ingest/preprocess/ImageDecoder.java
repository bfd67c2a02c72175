package dev.faces.ingest.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an image file by its content (PNG bytes under a .jpg name are fine), refusing before decoding when the
 * header declares a decompression bomb, and treating decoder warnings (a truncated JPEG) as errors. Grayscale
 * and CMYK images become RGB, as PIL's {@code convert("RGB")} does for the tutorial's ImageFolder.
 */
public final class ImageDecoder {
    public static final int MAX_SIDE = 12_000;
    public static final long MAX_PIXELS = 25_000_000L;

    private ImageDecoder() {
    }

    /** A file that is not a usable image; the message is the reason recorded in rejected.jsonl. */
    public static final class RejectedImageException extends Exception {
        public RejectedImageException(String reason) {
            super(reason);
        }
    }

    private static final ThreadLocal<ImageReader> JPEG_READER =
            ThreadLocal.withInitial(() -> ImageIO.getImageReadersByFormatName("jpeg").next());

    public static BufferedImage decode(byte[] bytes) throws RejectedImageException {
        if (bytes.length == 0) {
            throw new RejectedImageException("empty file");
        }
        // In memory: ImageIO.createImageInputStream would spool every image through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            boolean jpeg = bytes.length > 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8
                    && (bytes[2] & 0xFF) == 0xFF;
            ImageReader reader;
            if (jpeg) {
                reader = JPEG_READER.get(); // a JPEG reader per thread, reset after each image: CelebA is all JPEG
            } else {
                Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                if (!readers.hasNext()) {
                    throw new RejectedImageException("not an image (no decoder recognises its content)");
                }
                reader = readers.next();
            }
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                    throw new RejectedImageException("header declares " + w + "x" + h + " pixels; at most " + MAX_SIDE
                            + " per side and " + MAX_PIXELS + " in all are decoded (decompression bomb?)");
                }
                String[] warning = new String[1];
                reader.addIIOReadWarningListener((source, message) -> warning[0] = message);
                BufferedImage image;
                try {
                    image = reader.read(0);
                } catch (IIOException e) {
                    if (String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                        image = cmykToRgb(reader.readRaster(0, null));
                    } else {
                        throw e;
                    }
                }
                if (warning[0] != null) {
                    throw new RejectedImageException("damaged image: " + warning[0]);
                }
                return toRgb(image);
            } finally {
                if (jpeg) {
                    reader.reset();
                } else {
                    reader.dispose();
                }
            }
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new RejectedImageException("cannot decode: " + message);
        }
    }

    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB || image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            return image; // TutorialTransform reads both layouts directly
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY && image.getRaster().getNumBands() == 1) {
            // L -> RGB replicates the level, as PIL does (no gamma conversion)
            Raster r = image.getRaster();
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int v = r.getSample(x, y, 0) >> Math.max(0, r.getSampleModel().getSampleSize(0) - 8);
                    rgb.setRGB(x, y, v << 16 | v << 8 | v);
                }
            }
            return rgb;
        }
        rgb.getGraphics().drawImage(image, 0, 0, null);
        return rgb;
    }

    /** Adobe CMYK/YCCK JPEGs (stored inverted) to RGB, as PIL's CMYK conversion does. */
    private static BufferedImage cmykToRgb(Raster raster) {
        BufferedImage rgb = new BufferedImage(raster.getWidth(), raster.getHeight(), BufferedImage.TYPE_INT_RGB);
        int[] px = new int[4];
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                raster.getPixel(x, y, px);
                int k = 255 - px[3];
                int r = 255 - Math.min(255, (255 - px[0]) + k);
                int g = 255 - Math.min(255, (255 - px[1]) + k);
                int b = 255 - Math.min(255, (255 - px[2]) + k);
                rgb.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return rgb;
    }
}
