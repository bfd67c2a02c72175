package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.ServiceProcess;
import dev.faces.stack.ServiceProcess.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The gallery in a real browser (Debian's Chromium, headless), on the packaged services after a two-epoch run:
 * the run is listed, its epoch strip loads, its loss chart is drawn with a point per metrics.jsonl line, "new
 * faces" changes the grid, and pinning the older epoch with the token serves it. Screenshots go to
 * target/screenshots (the README shows two of them). Then every metric the Grafana dashboard queries must be one
 * that the running services export.
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GalleryBrowserIT {
    private static final String DATASET = "gallery-faces";
    private static final String RUN = "auto-" + DATASET;
    private static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Pipeline pipeline;
    private static WebDriver browser;
    private static String gallery;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        pipeline = Pipeline.start(stack, "gallery", Map.of(Service.TRAINER, Map.of("AUTO_TRAIN", "true",
                "AUTO_TRAIN_EPOCHS", "2", "FACES_TRAINER_SWD_IMAGES", "16", "FACES_TRAINER_CALIBRATION_BATCHES", "1")));
        String job = pipeline.ingest(pipeline.sample("sample", 320, 5), DATASET);
        pipeline.await(job, j -> j.path("status").asText().equals("completed"), Duration.ofMinutes(2));
        JsonNode run = pipeline.await(pipeline.services.trainer().url() + "/api/training-runs/" + RUN,
                r -> r.path("status").asText().matches("completed|failed|cancelled"), Duration.ofMinutes(5));
        assertThat(run.path("status").asText()).as(pipeline.logs()).isEqualTo("completed");
        gallery = pipeline.services.generator().url();
        pipeline.await(gallery + "/api/models/current",
                m -> m.path("version").asText().equals(ObjectKeys.modelVersion(RUN, 2)), Duration.ofSeconds(60));

        Files.createDirectories(SCREENSHOTS);
        Path profile = Files.createTempDirectory("chromium-profile-");
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pipeline != null) {
            pipeline.unpin(); // faces.serving is shared by every test of the stack: leave no pin behind
            pipeline.close();
        }
    }

    private static WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void screenshot(String name) throws Exception {
        js("window.scrollTo(0, 0)"); // the top of the view, whatever a click scrolled to
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name), png);
    }

    @Test
    @Order(1)
    void listsTheRunAndShowsItsEpochsAndCurves() throws Exception {
        browser.get(gallery + "/#runs");
        WebElement row = waitUpTo(20).until(b -> b.findElements(By.cssSelector("#runs-table tr[data-run-id='" + RUN + "']"))
                .stream().findFirst().orElse(null));
        assertThat(row.getText()).contains(DATASET).contains("completed").contains("2/2");
        screenshot("runs.png");

        row.findElement(By.tagName("a")).click();
        waitUpTo(20).until(b -> Boolean.TRUE.equals(js("const imgs = document.querySelectorAll('#epoch-strip img');"
                + "return imgs.length === 2 && Array.from(imgs).every(i => i.complete && i.naturalWidth > 0);")));
        assertThat(js("return Array.from(document.querySelectorAll('#epoch-strip img')).map(i => i.dataset.epoch)"))
                .isEqualTo(List.of("1", "2"));
        assertThat(((Number) js("return document.getElementById('epoch-image').naturalWidth")).intValue()).isPositive();
        // G_ema's grid of the same epoch beside G's.
        waitUpTo(20).until(b -> Boolean.TRUE.equals(js("const f = document.getElementById('epoch-ema-figure');"
                + "const i = document.getElementById('epoch-image-ema');"
                + "return !f.hidden && i.complete && i.naturalWidth > 0 && i.src.endsWith('/epochs/2/samples-ema.png');")));

        long lines = pipeline.readObject(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.metricsLog(RUN)).lines()
                .filter(l -> !l.isBlank()).count();
        assertThat(lines).isGreaterThanOrEqualTo(2);
        waitUpTo(20).until(b -> String.valueOf(lines).equals(
                js("return document.getElementById('chart-losses').dataset.points")));
        // The Loss_D series is drawn in its colour (#c33) on the chart's canvas: the chart is not blank.
        long lossPixels = ((Number) js("const c = document.querySelector('#chart-losses canvas');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                + "for (let i = 0; i < d.length; i += 4) { if (d[i] === 0xcc && d[i + 1] === 0x33 && d[i + 2] === 0x33"
                + " && d[i + 3] > 0) n++; } return n;")).longValue();
        assertThat(lossPixels).as("pixels of the Loss_D series").isPositive();
        screenshot("run.png");
    }

    @Test
    @Order(2)
    void newFacesChangesTheGrid() throws Exception {
        browser.get(gallery + "/#generate");
        waitUpTo(20).until(b -> Boolean.TRUE.equals(js("const g = document.getElementById('grid');"
                + "return g.complete && g.naturalWidth > 0;")));
        String before = browser.findElement(By.id("grid")).getAttribute("src");
        browser.findElement(By.id("new-faces")).click();
        waitUpTo(20).until(b -> !before.equals(b.findElement(By.id("grid")).getAttribute("src"))
                && Boolean.TRUE.equals(js("const g = document.getElementById('grid'); return g.complete && g.naturalWidth > 0;")));
        screenshot("generate.png");
    }

    @Test
    @Order(3)
    void pinsTheOlderEpochWithTheTokenAndUnpins() throws Exception {
        browser.get(gallery + "/#models");
        String older = ObjectKeys.modelVersion(RUN, 1);
        WebElement row = waitUpTo(20).until(b -> b.findElements(By.cssSelector("#models-table tr[data-version='" + older + "']"))
                .stream().findFirst().orElse(null));
        browser.findElement(By.id("token")).sendKeys(Pipeline.TOKEN);
        row.findElement(By.cssSelector("button.pin")).click();
        waitUpTo(20).until(b -> b.findElement(By.id("models-message")).getText().contains(older));
        assertThat(faceVersion()).isEqualTo(older);
        assertThat(dev.faces.stack.JsonHttp.get(gallery + "/api/models/current").body().path("variant").asText())
                .as("MODEL_VARIANT defaults to ema").isEqualTo("ema");
        waitUpTo(20).until(b -> b.findElement(By.id("models-summary")).getText().contains("pinned to " + older));
        screenshot("models.png");

        browser.findElement(By.id("unpin")).click();
        String newest = ObjectKeys.modelVersion(RUN, 2);
        waitUpTo(20).until(b -> b.findElement(By.id("models-message")).getText().contains(newest));
        assertThat(faceVersion()).isEqualTo(newest);
    }

    @Test
    @Order(4)
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        Set<String> exported = new TreeSet<>();
        faceVersion(); // a drawn face: the serving meters have samples
        for (ServiceProcess s : pipeline.services.all()) {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            metrics.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("[{ ]", 2)[0]).forEach(exported::add);
        }
        String dashboard = Files.readString(Pipeline.ROOT.resolve("deploy/monitoring/grafana-dashboard.json"));
        Set<String> queried = new TreeSet<>();
        Matcher expr = Pattern.compile("\"expr\": \"([^\"]+)\"").matcher(dashboard);
        while (expr.find()) {
            Matcher name = Pattern.compile("\\bfaces_[a-z0-9_]+").matcher(expr.group(1));
            while (name.find()) {
                queried.add(name.group());
            }
        }
        assertThat(queried).hasSizeGreaterThan(20);
        assertThat(exported).containsAll(queried);
    }

    private static String faceVersion() throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(gallery + "/api/faces/7.png")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("X-Model-Version").orElse("?");
    }
}
