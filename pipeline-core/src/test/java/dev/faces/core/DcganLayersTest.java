package dev.faces.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.DcganLayers.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DcganLayersTest {

    @Test
    void parameterCountsMatchTheTutorial() {
        assertThat(DcganLayers.parameterCount(DcganLayers.GENERATOR)).isEqualTo(3_576_704L);
        assertThat(DcganLayers.parameterCount(DcganLayers.DISCRIMINATOR)).isEqualTo(2_765_568L);
    }

    @Test
    void generatorStateDictHasTheTutorialNamesAndShapes() {
        Map<String, long[]> g = shapes(DcganLayers.stateDict(DcganLayers.GENERATOR));
        assertThat(g).hasSize(5 + 4 * 5);
        assertThat(g.get("main.0.weight")).containsExactly(100, 512, 4, 4);
        assertThat(g.get("main.1.running_mean")).containsExactly(512);
        assertThat(g.get("main.1.num_batches_tracked")).isEmpty();
        assertThat(g.get("main.3.weight")).containsExactly(512, 256, 4, 4);
        assertThat(g.get("main.12.weight")).containsExactly(64, 3, 4, 4);
        assertThat(g).doesNotContainKey("main.13.weight");
    }

    @Test
    void discriminatorStateDictHasTheTutorialNamesAndShapes() {
        Map<String, long[]> d = shapes(DcganLayers.stateDict(DcganLayers.DISCRIMINATOR));
        assertThat(d).hasSize(5 + 3 * 5);
        assertThat(d.get("main.0.weight")).containsExactly(64, 3, 4, 4);
        assertThat(d).doesNotContainKey("main.1.weight");
        assertThat(d.get("main.3.bias")).containsExactly(128);
        assertThat(d.get("main.11.weight")).containsExactly(1, 512, 4, 4);
    }

    @Test
    void spatialSizesFollowTheLayerTable() {
        int size = 1;
        for (DcganLayers.Layer l : DcganLayers.GENERATOR) {
            if (l.kind() == DcganLayers.Kind.CONV_TRANSPOSE) {
                size = (size - 1) * l.stride() - 2 * l.padding() + DcganLayers.Layer.KERNEL;
            }
        }
        assertThat(size).isEqualTo(64);
        for (DcganLayers.Layer l : DcganLayers.DISCRIMINATOR) {
            if (l.kind() == DcganLayers.Kind.CONV) {
                size = (size + 2 * l.padding() - DcganLayers.Layer.KERNEL) / l.stride() + 1;
            }
        }
        assertThat(size).isEqualTo(1);
    }

    private static Map<String, long[]> shapes(List<TensorSpec> specs) {
        return specs.stream().collect(Collectors.toMap(TensorSpec::name, TensorSpec::shape));
    }
}
