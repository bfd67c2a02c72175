package dev.faces.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.events.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The launcher's pure parts: the progress view and the command line. */
class ProgressViewTest {

    @Test
    void showsOneLiveLineAndAPermanentLinePerMilestone() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressView view = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, true);
        view.show(new ProgressView.Snapshot(json("{\"datasetId\":\"d\",\"status\":\"running\",\"processed\":512,"
                + "\"total\":2048,\"rejected\":0,\"shards\":0,\"imagesPerSecond\":812.4,\"etaSeconds\":2}"), null, null));
        view.show(new ProgressView.Snapshot(json("{\"datasetId\":\"d\",\"status\":\"completed\",\"processed\":2048,"
                + "\"total\":2048,\"rejected\":3,\"shards\":3}"), json("{\"runId\":\"auto-d\",\"status\":\"running\","
                + "\"epoch\":2,\"epochs\":5,\"epochsDone\":1,\"batch\":7,\"batchesPerEpoch\":16,\"lossD\":0.5,"
                + "\"lossG\":2.25,\"eta\":\"3m10s\"}"), json("{\"version\":\"auto-d/epoch-0001\"}")));
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("ingest  25% 512/2048 812 img/s ETA 2s | train waiting for data | no model yet");
        assertThat(out).contains("ingest  d: 2045 images in 3 shards, 3 rejected\n");
        assertThat(out).contains("train   auto-d running (1/5 epochs)\n");
        assertThat(out).contains("serve   auto-d/epoch-0001 is now served\n");
        assertThat(out).contains("train epoch 2/5 batch 7/16 D 0.500 G 2.250 ETA 3m10s | serving auto-d/epoch-0001");
        assertThat(view.ingestFinished()).isTrue();
        assertThat(view.runFinished()).isFalse();
        assertThat(view.modelVersion()).isEqualTo("auto-d/epoch-0001");
    }

    @Test
    void theCommandLineIsCheckedWithAMessageThatSaysWhatIsAllowed() {
        PipelineUp.Args args = PipelineUp.Args.parse(new String[] {"--images", "1024", "--epochs", "1"});
        assertThat(args.datasetId()).isEqualTo("sample-1024");
        assertThat(args.epochs()).isEqualTo(1);
        assertThat(PipelineUp.Args.parse(new String[0]).sampleSize()).isEqualTo(7808);
        assertThatThrownBy(() -> PipelineUp.Args.parse(new String[] {"--epochs", "x"}))
                .hasMessage("--epochs must be a whole number from 0 to 1000, was 'x'");
        assertThatThrownBy(() -> PipelineUp.Args.parse(new String[] {"--images", "0"}))
                .hasMessageStartingWith("--images must be a whole number from 1");
        assertThatThrownBy(() -> PipelineUp.Args.parse(new String[] {"--celeba", "/no/such/celeba.zip"}))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> PipelineUp.Args.parse(new String[] {"--epochs"})).hasMessage("--epochs needs a value");
        assertThatThrownBy(() -> PipelineUp.Args.parse(new String[] {"--bogus", "1"}))
                .hasMessageStartingWith("unknown option --bogus");
        assertThat(PipelineUp.ingestRequest(PipelineUp.Args.parse(new String[] {"--celeba", "/tmp", "--images", "10"}),
                Path.of("/tmp"))).isEqualTo("{\"source\":\"/tmp\",\"datasetId\":\"celeba-10\",\"limit\":10}");
    }

    private static JsonNode json(String s) throws Exception {
        return EventCodec.json().readTree(s);
    }
}
