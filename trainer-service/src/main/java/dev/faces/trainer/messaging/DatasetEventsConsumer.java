package dev.faces.trainer.messaging;

import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventFormatException;
import dev.faces.core.events.TrainingRequested;
import dev.faces.trainer.TrainerConfig;
import dev.faces.trainer.data.ShardCatalog;
import dev.faces.trainer.runs.RunManager;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Keeps the shard catalogue from {@code faces.datasets}; optionally starts a run when a dataset completes. */
@ApplicationScoped
public class DatasetEventsConsumer {
    private static final Logger LOG = Logger.getLogger(DatasetEventsConsumer.class);

    @Inject
    ShardCatalog catalog;

    @Inject
    RunManager runs;

    @Inject
    TrainerConfig config;

    @Incoming("datasets")
    @Blocking
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        CloudEvent event = KafkaRecords.decode(record);
        if (event.data() instanceof DatasetBatch batch) {
            if (catalog.add(batch)) {
                LOG.debugf("dataset %s: shard %d (%d images)", batch.datasetId(), batch.shardIndex(), batch.imageCount());
            }
        } else if (event.data() instanceof DatasetCompleted completed) {
            if (catalog.complete(completed)) {
                LOG.infof("dataset %s complete: %d shards, %d images, %d rejected", completed.datasetId(),
                        completed.shardCount(), completed.imageCount(), completed.rejectedCount());
                runs.datasetChanged();
                if (config.trainer().autoTrain()) {
                    runs.submit(new TrainingRequested(completed.datasetId(), "auto-" + completed.datasetId(),
                            config.trainer().autoTrainEpochs(), null, null, null, null, null));
                }
            }
        } else {
            throw new EventFormatException(EventFormatException.Kind.UNKNOWN_TYPE,
                    event.type().type() + " does not belong on faces.datasets");
        }
    }
}
