package dev.faces.trainer.api;

import dev.faces.trainer.runs.RunManager;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.TreeSet;

/** This replica: the partitions of faces.training-requests it owns (so the runs it trains) and its device. */
@Path("/api/trainer")
@Produces(MediaType.APPLICATION_JSON)
public class TrainerResource {

    @Inject
    RunManager runs;

    @GET
    public Map<String, Object> get() {
        return Map.of("partitions", new TreeSet<>(runs.ownedPartitions()), "device", runs.device(),
                "activeRun", runs.activeProgress().map(p -> p.runId()).orElse(""), "queued", runs.queued(),
                "damagedRunFiles", runs.damagedRunFiles());
    }
}
