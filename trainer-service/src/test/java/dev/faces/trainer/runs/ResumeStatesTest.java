package dev.faces.trainer.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.EventCodec;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.trainer.gan.TrainingLoop;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Resume state on the real S3 server is whole or absent, and all of one step. */
@ExtendWith(LocalStackExtension.class)
class ResumeStatesTest {
    private static final String BUCKET = ObjectKeys.CHECKPOINTS_BUCKET;

    @Test
    void aKillBetweenTheWritesLeavesThePreviousCompleteState(LocalStack stack) {
        ObjectStore s3 = store(stack);
        ResumeStates states = new ResumeStates(s3, BUCKET);
        String run = "resume-" + UUID.randomUUID().toString().substring(0, 8);
        states.save(RunWrites.unfenced(s3, BUCKET), run, 2, 3, 10, state(10));
        assertThat(states.load(run, 2)).get().extracting(ResumeStates.Saved::globalStep).isEqualTo(10L);

        // the next state's parts are written, then the process dies before the pointer: step 10 still loads
        s3.put(BUCKET, ObjectKeys.resumePart(run, 12, "generator.safetensors"), state(12).generator(), "application/octet-stream");
        s3.put(BUCKET, ObjectKeys.resumePart(run, 12, "discriminator.safetensors"), state(12).discriminator(), "application/octet-stream");
        ResumeStates.Saved loaded = states.load(run, 2).orElseThrow();
        assertThat(loaded.globalStep()).isEqualTo(10L);
        assertThat(loaded.batchesDone()).isEqualTo(3);
        assertThat(SafeTensors.read(loaded.snapshot().generator()).metadata()).containsEntry("global_step", "10");

        states.save(RunWrites.unfenced(s3, BUCKET), run, 2, 5, 12, state(12));
        assertThat(states.load(run, 2)).get().extracting(ResumeStates.Saved::batchesDone).isEqualTo(5);
        assertThat(s3.list(BUCKET, ObjectKeys.resumePrefix(run))).as("the superseded state is removed")
                .noneMatch(k -> k.contains("step-0000000010"));
        assertThat(states.load(run, 3)).as("a pointer of another epoch is stale").isEmpty();
    }

    @Test
    void partsOfAnotherStepAreRefusedEvenWithMatchingDigests(LocalStack stack) throws Exception {
        ObjectStore s3 = store(stack);
        ResumeStates states = new ResumeStates(s3, BUCKET);
        String run = "mixed-" + UUID.randomUUID().toString().substring(0, 8);
        states.save(RunWrites.unfenced(s3, BUCKET), run, 1, 4, 20, state(20));
        // D from step 19, well-formed, and the pointer's digest updated to match it: only the step differs
        String dKey = ObjectKeys.resumePart(run, 20, "discriminator.safetensors");
        byte[] otherStep = state(19).discriminator();
        s3.put(BUCKET, dKey, otherStep, "application/octet-stream");
        var pointer = (com.fasterxml.jackson.databind.node.ObjectNode) EventCodec.json().readTree(
                s3.get(BUCKET, ObjectKeys.resumePointer(run)).orElseThrow());
        ((com.fasterxml.jackson.databind.node.ObjectNode) pointer.get("parts")).put(dKey, Digests.sha256(otherStep));
        s3.put(BUCKET, ObjectKeys.resumePointer(run), pointer.toString().getBytes(), "application/json");
        assertThat(states.load(run, 1)).isEmpty();

        // the right part again, with its digest: it loads
        s3.put(BUCKET, dKey, state(20).discriminator(), "application/octet-stream");
        ((com.fasterxml.jackson.databind.node.ObjectNode) pointer.get("parts")).put(dKey,
                Digests.sha256(state(20).discriminator()));
        s3.put(BUCKET, ObjectKeys.resumePointer(run), pointer.toString().getBytes(), "application/json");
        assertThat(states.load(run, 1)).isPresent();
    }

    /** A tiny state whose parts carry their step, as TrainingLoop writes them. */
    private static TrainingLoop.Snapshot state(long step) {
        Map<String, String> meta = Map.of("global_step", String.valueOf(step));
        byte[] g = SafeTensors.write(Map.of("w", SafeTensor.f32(new float[] {step}, 1)), meta);
        byte[] d = SafeTensors.write(Map.of("w", SafeTensor.f32(new float[] {-step}, 1)), meta);
        byte[] o = SafeTensors.write(Map.of("progress.global_step", SafeTensor.i64(new long[] {step}, new long[0])), meta);
        return new TrainingLoop.Snapshot(g, d, o, null);
    }

    private static ObjectStore store(LocalStack stack) {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
    }
}
