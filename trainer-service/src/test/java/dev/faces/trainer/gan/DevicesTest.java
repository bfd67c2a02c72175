package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

/** The device path on a CPU machine: what DJL reports, what is configured, and a GPU that is not there. */
class DevicesTest {
    private static final HyperParameters HYPER = new HyperParameters(1, 4, 2e-4, 0.5, 1);

    @Test
    void autoTakesTheDeviceDjlReports() {
        Engine engine = Engine.getInstance();
        Devices.Choice auto = Devices.select("auto", engine);
        assertThat(auto.device()).isEqualTo(engine.defaultDevice());
        assertThat(auto.description()).contains(engine.defaultDevice().toString())
                .contains(engine.getGpuCount() + " GPU(s) visible").contains("configured auto");
        assertThat(Devices.select(null, engine).device()).isEqualTo(engine.defaultDevice());
    }

    @Test
    void aConfiguredCpuIsWhereTheNetworksLive() {
        Devices.Choice cpu = Devices.select(" CPU ", Engine.getInstance());
        assertThat(cpu.device()).isEqualTo(Device.cpu());
        assertThat(cpu.name()).isEqualTo("cpu()");
        try (TrainingLoop loop = TrainingLoop.fresh(HYPER, cpu.device()).calibratingOn(1)) {
            assertThat(loop.device()).isEqualTo(Device.cpu());
        }
    }

    @Test
    void aGpuThatLibtorchCannotSeeIsAConfigurationError() {
        Engine engine = Engine.getInstance();
        int missing = engine.getGpuCount();
        assertThatThrownBy(() -> Devices.select("gpu:" + missing, engine))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sees " + missing + " GPU(s)");
        assertThatThrownBy(() -> Devices.select("tpu", engine)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not one of auto, cpu, gpu, gpu:N");
    }
}
