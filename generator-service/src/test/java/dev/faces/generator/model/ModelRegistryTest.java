package dev.faces.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Policy, pins and bounded memory of the registry, as pure logic (models without weights). */
class ModelRegistryTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void onlyTheServedThePinnedAndThePreviousStayInMemory() {
        ModelRegistry registry = new ModelRegistry(ModelRegistry.Policy.latest, 3);
        for (int epoch = 1; epoch <= 40; epoch++) {
            if (epoch == 6) {
                registry.unpin();
            }
            registry.known("run", epoch, 100.0 - epoch, T0.plusSeconds(epoch), "sha" + epoch);
            assertThat(registry.reselect()).get().extracting(ModelRegistry.Entry::epoch).isEqualTo(epoch);
            registry.loaded(model(epoch));
            assertThat(registry.current()).get().extracting(LoadedModel::epoch).isEqualTo(epoch);
            if (epoch == 5) {
                registry.pin("run", 5);
            }
            assertThat(registry.loadedCount()).as("after epoch %d", epoch).isLessThanOrEqualTo(3);
        }
        assertThat(registry.entry("run", 39).orElseThrow().status()).as("the previous one, for a quick rollback")
                .isEqualTo(ModelRegistry.Status.loaded);
        assertThat(registry.entry("run", 1).orElseThrow().status()).as("evicted, loads again on demand")
                .isEqualTo(ModelRegistry.Status.available);

        // pinning an evicted checkpoint asks for it to be loaded; once loaded, it is served
        assertThat(registry.pin("run", 1).model()).isNull();
        registry.loaded(model(1));
        assertThat(registry.current()).get().extracting(LoadedModel::epoch).isEqualTo(1);
        assertThat(registry.loadedCount()).isLessThanOrEqualTo(3);
    }

    @Test
    void bestFollowsTheLowestSwdAndSkipsWhatCannotBeServed() {
        ModelRegistry registry = new ModelRegistry(ModelRegistry.Policy.best, 3);
        registry.known("r", 1, 300.0, T0, "a");
        registry.known("r", 2, 100.0, T0.plusSeconds(1), "b");
        registry.known("r", 3, 200.0, T0.plusSeconds(2), "c");
        assertThat(registry.reselect()).get().extracting(ModelRegistry.Entry::epoch).isEqualTo(2);
        registry.reject("r", 2, "sha256 mismatch");
        assertThat(registry.reselect()).get().extracting(ModelRegistry.Entry::epoch).isEqualTo(3);
        registry.unavailable("r", 3, "storage unavailable");
        assertThat(registry.reselect()).get().extracting(ModelRegistry.Entry::epoch).isEqualTo(1);
        registry.known("r", 3, 200.0, T0.plusSeconds(2), "c"); // the next scan: storage is back
        assertThat(registry.entry("r", 3).orElseThrow().status()).isEqualTo(ModelRegistry.Status.available);
        registry.incomplete("r", 4, T0.plusSeconds(3), "checkpoint.json is missing");
        assertThat(registry.entry("r", 4).orElseThrow().status()).isEqualTo(ModelRegistry.Status.incomplete);
        assertThatThrownBy(() -> registry.pin("r", 2)).hasMessageContaining("rejected (sha256 mismatch)");
        assertThatThrownBy(() -> registry.pin("r", 4)).hasMessageContaining("incomplete");
    }

    @Test
    void anEventAndAManifestThatDisagreeOnTheDigestAreNotServed() {
        ModelRegistry registry = new ModelRegistry(ModelRegistry.Policy.latest, 3);
        registry.known("r", 1, null, T0, "from-the-event");
        registry.known("r", 1, null, T0, "from-checkpoint-json");
        assertThat(registry.entry("r", 1).orElseThrow().status()).isEqualTo(ModelRegistry.Status.rejected);
        assertThat(registry.entry("r", 1).orElseThrow().reason()).contains("sha256 mismatch");
        assertThat(registry.reselect()).isEmpty();
    }

    private static LoadedModel model(int epoch) {
        return new LoadedModel("run", epoch, "sha" + epoch, null, T0.plusSeconds(1000 + epoch));
    }
}
