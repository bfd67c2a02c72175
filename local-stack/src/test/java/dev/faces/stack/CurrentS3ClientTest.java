package dev.faces.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.ObjectKeys;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;

/**
 * A current S3 client against the local S3 server: the AWS SDK for Java v2, whose defaults send and validate
 * flexible checksums (the headers that S3Proxy 2.6 refused). A checkpoint-sized object goes up, is listed,
 * and comes down byte for byte, with checksum validation asked for explicitly too.
 */
@ExtendWith(LocalStackExtension.class)
class CurrentS3ClientTest {

    @Test
    void aCheckpointRoundTripsWithFlexibleChecksums(LocalStack stack, @TempDir Path dir) throws Exception {
        byte[] generator = new byte[14_316_688]; // the size of a DCGAN generator.safetensors
        new Random(3).nextBytes(generator);
        String key = "sdk-v2/epoch-0001/generator.safetensors";
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(stack.s3Endpoint()))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(stack.accessKey(), stack.secretKey())))
                .build()) {
            s3.putObject(b -> b.bucket(ObjectKeys.CHECKPOINTS_BUCKET).key(key), RequestBody.fromBytes(generator));
            assertThat(s3.listObjectsV2(b -> b.bucket(ObjectKeys.CHECKPOINTS_BUCKET).prefix("sdk-v2/")).contents())
                    .extracting(o -> o.key()).containsExactly(key);
            byte[] back = s3.getObjectAsBytes(b -> b.bucket(ObjectKeys.CHECKPOINTS_BUCKET).key(key)
                    .checksumMode(ChecksumMode.ENABLED)).asByteArray();
            assertThat(back).isEqualTo(generator);
            Path file = dir.resolve("generator.safetensors");
            s3.getObject(b -> b.bucket(ObjectKeys.CHECKPOINTS_BUCKET).key(key), file);
            assertThat(Files.readAllBytes(file)).isEqualTo(generator);
        }
    }
}
