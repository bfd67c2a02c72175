package dev.faces.ingest.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoding through ImageIO: every format it reads (PNG bytes under a .jpg name are fine), and JPEGs where the
 * native decoder is not available. Refuses before decoding when the header declares a decompression bomb, and
 * treats decoder warnings (a truncated JPEG) as errors. Grayscale and CMYK images become RGB, as PIL's
 * {@code convert("RGB")} does for the tutorial's ImageFolder.
 */
final class ImageIoDecoder {
    private ImageIoDecoder() {
    }

    private static final ThreadLocal<ImageReader> JPEG_READER =
            ThreadLocal.withInitial(() -> ImageIO.getImageReadersByFormatName("jpeg").next());

    static DecodedImage decode(byte[] bytes) throws ImageDecoder.RejectedImageException {
        if (bytes.length == 0) {
            throw new ImageDecoder.RejectedImageException("empty file");
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
                    throw new ImageDecoder.RejectedImageException("not an image (no decoder recognises its content)");
                }
                reader = readers.next();
            }
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > ImageDecoder.MAX_SIDE || h > ImageDecoder.MAX_SIDE
                        || (long) w * h > ImageDecoder.MAX_PIXELS) {
                    throw new ImageDecoder.RejectedImageException(ImageDecoder.tooLarge(w, h));
                }
                String[] warning = new String[1];
                reader.addIIOReadWarningListener((source, message) -> warning[0] = message);
                BufferedImage image;
                if (jpeg && reader.getRawImageType(0) == null) {
                    // CMYK or YCCK: ImageIO would convert through an ICC profile; PIL (and libjpeg-turbo's path)
                    // does the plain arithmetic on the inks
                    Raster raster = reader.readRaster(0, null);
                    if (raster.getNumBands() != 4) {
                        throw new ImageDecoder.RejectedImageException("cannot decode: a JPEG of "
                                + raster.getNumBands() + " components that is neither RGB, grey nor CMYK");
                    }
                    image = cmykToRgb(raster);
                } else {
                    image = reader.read(0);
                }
                if (warning[0] != null) {
                    throw new ImageDecoder.RejectedImageException("damaged image: " + warning[0]);
                }
                return bgr(toRgb(image));
            } finally {
                if (jpeg) {
                    reader.reset();
                } else {
                    reader.dispose();
                }
            }
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageDecoder.RejectedImageException("cannot decode: " + message);
        }
    }

    /** Interleaved BGR: the decoder's own buffer when it already is, a copy otherwise. */
    private static DecodedImage bgr(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        var raster = image.getRaster();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getParent() == null
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm
                && sm.getPixelStride() == 3 && sm.getScanlineStride() == 3 * w) {
            return new DecodedImage(w, h, ((DataBufferByte) raster.getDataBuffer()).getData());
        }
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] d = new byte[3 * rgb.length];
        for (int i = 0, p = 0; i < rgb.length; i++, p += 3) {
            d[p] = (byte) rgb[i];
            d[p + 1] = (byte) (rgb[i] >> 8);
            d[p + 2] = (byte) (rgb[i] >> 16);
        }
        return new DecodedImage(w, h, d);
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
