package dev.faces.generator.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TanhTest {

    @Test
    void theFastTanhIsWithinHalfAMillionthOfMathTanhEverywhere() {
        double worst = 0;
        for (float x = -20f; x <= 20f; x += 1e-4f) {
            worst = Math.max(worst, Math.abs(GeneratorModel.tanh(x) - Math.tanh(x)));
        }
        assertThat(worst).isLessThan(5e-7);
        assertThat(GeneratorModel.tanh(Float.MAX_VALUE)).isEqualTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(GeneratorModel.tanh(-Float.MAX_VALUE)).isEqualTo(-1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(GeneratorModel.tanh(0f)).isZero();
    }
}
