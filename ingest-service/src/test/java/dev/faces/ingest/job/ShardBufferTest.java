package dev.faces.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.Digests;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import dev.faces.ingest.preprocess.Preprocessor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardBufferTest {
    private static final int IMAGE = Preprocessor.IMAGE_BYTES;

    @Test
    void aFullShardIsTheNpyOfItsImagesInTheOrderAdded() {
        byte[] chunk = randomImages(5, 1);
        ShardBuffer shard = new ShardBuffer(3);
        shard.add("c.jpg", chunk, 2 * IMAGE);
        shard.add("a.jpg", chunk, 0);
        shard.add("e.jpg", chunk, 4 * IMAGE);
        assertThat(shard.isFull()).isTrue();
        assertThat(shard.files()).containsExactly("c.jpg", "a.jpg", "e.jpg");
        byte[] expected = Npy.write(NpyArray.uint8(concat(chunk, 2, 0, 4), 3, 3, 64, 64));
        assertThat(shard.npy()).isEqualTo(expected);
        assertThat(shard.sha256()).isEqualTo(Digests.sha256(expected));
    }

    @Test
    void aShorterLastShardGetsTheHeaderOfItsOwnCount() {
        byte[] chunk = randomImages(2, 2);
        ShardBuffer shard = new ShardBuffer(1000);
        shard.add("a.jpg", chunk, 0);
        shard.add("b.jpg", chunk, IMAGE);
        NpyArray read = Npy.read(shard.npy());
        assertThat(read.shape()).containsExactly(2, 3, 64, 64);
        assertThat(read.data()).isEqualTo(chunk);
        assertThat(shard.sha256()).isEqualTo(Digests.sha256(Npy.write(NpyArray.uint8(chunk, 2, 3, 64, 64))));
    }

    @Test
    void aReusedArrayHoldsOnlyItsNewShard() {
        ShardBuffer.Pool pool = new ShardBuffer.Pool();
        byte[] first = randomImages(3, 3);
        ShardBuffer a = new ShardBuffer(3, pool);
        for (int i = 0; i < 3; i++) {
            a.add("a" + i, first, i * IMAGE);
        }
        byte[] used = a.npy();
        a.release();

        byte[] second = randomImages(3, 4);
        ShardBuffer b = new ShardBuffer(3, pool);
        for (int i = 0; i < 3; i++) {
            b.add("b" + i, second, i * IMAGE);
        }
        assertThat(b.npy()).isSameAs(used).isEqualTo(Npy.write(NpyArray.uint8(second, 3, 3, 64, 64)));
        assertThat(b.sha256()).isEqualTo(Digests.sha256(Npy.write(NpyArray.uint8(second, 3, 3, 64, 64))));
        b.release();

        ShardBuffer c = new ShardBuffer(3, pool);
        c.add("c0", first, 0);
        assertThat(c.npy()).isEqualTo(Npy.write(NpyArray.uint8(java.util.Arrays.copyOf(first, IMAGE), 1, 3, 64, 64)));
    }

    @Test
    void neitherMoreThanItsCapacityNorAnEmptyShard() {
        ShardBuffer shard = new ShardBuffer(1);
        assertThatThrownBy(shard::npy).isInstanceOf(IllegalStateException.class);
        shard.add("a.jpg", new byte[IMAGE], 0);
        assertThatThrownBy(() -> shard.add("b.jpg", new byte[IMAGE], 0)).isInstanceOf(IllegalStateException.class);
        assertThat(shard.files()).isEqualTo(List.of("a.jpg"));
    }

    private static byte[] randomImages(int n, long seed) {
        byte[] b = new byte[n * IMAGE];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] chunk, int... images) {
        byte[] out = new byte[images.length * IMAGE];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(chunk, images[i] * IMAGE, out, i * IMAGE, IMAGE);
        }
        return out;
    }
}
