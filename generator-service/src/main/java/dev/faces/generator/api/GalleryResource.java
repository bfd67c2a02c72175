package dev.faces.generator.api;

import dev.faces.generator.model.LoadedModel;
import dev.faces.generator.model.ModelRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /}: a page of faces from the served model, refreshed on demand. */
@Path("/")
public class GalleryResource {
    @Inject
    ModelRegistry registry;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String gallery() {
        String version = registry.current().map(LoadedModel::version).orElse(null);
        String body = version == null
                ? "<p>No model yet. Train one: the trainer publishes a checkpoint after every epoch.</p>"
                : "<p>Serving <code>" + version + "</code> (policy " + registry.policy() + ").</p>"
                + "<img id=grid alt='64 faces' src='/api/faces?seed=1&count=64&cols=8'>"
                + "<p><button onclick=\"grid.src='/api/faces?count=64&cols=8&seed='+Math.floor(Math.random()*1e9)\">"
                + "New faces</button> <a href='/api/models'>models</a> <a href='/q/swagger-ui'>API</a></p>"
                + "<img alt='interpolation' src='/api/interpolate?from=1&to=2&steps=10'>";
        return "<!doctype html><html><head><meta charset=utf-8><title>DCGAN faces</title><style>body{font-family:sans-serif;"
                + "margin:2em;background:#111;color:#eee}img{image-rendering:pixelated;width:min(90vw,640px)}a{color:#8cf}"
                + "</style></head><body><h1>DCGAN faces</h1>" + body + "</body></html>";
    }
}
