package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page in headless Chromium (Debian's chromium and chromium-driver): a rate-limited download runs while
 * the test watches its bar grow and its row turn to done. Screenshots stay in target/web-screenshots/. Without
 * Chromium the test is skipped, except under CI=true, where it fails.
 */
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final long KIB = 1024;

    @TempDir
    Path tmp;
    WebFixture w;
    ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "needs " + CHROMIUM + " and " + CHROMEDRIVER + ": apt-get install -y chromium chromium-driver";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        // 192 KiB/s per connection: three 1 MiB segments take about five seconds.
        w = new WebFixture(tmp, FtpServerFixture.builder().ratePerConnection(192 * KIB).start(), s -> s);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectory(tmp.resolve("chromium-profile")), "--window-size=1100,860");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (w != null) {
                w.close();
            }
        }
    }

    @Test
    void aRunningTransfersBarMovesAndItsRowTurnsToDone() throws Exception {
        // A transfer that fails, so the page has a last error to show.
        String failed = submit("/missing/report.csv", tmp.resolve("out/report.csv"), null);
        // One that fails in a way running it again cannot change: the page offers no Resume for it.
        w.ftp.write("data/kept.txt", 100, 12);
        Files.createDirectories(tmp.resolve("out"));
        Files.writeString(tmp.resolve("out/kept.txt"), "the user's own");
        String exists = submit("/data/kept.txt", tmp.resolve("out/kept.txt"), "{\"overwrite\":false}");
        Path source = w.ftp.write("data/video.bin", 3 * 1024 * KIB, 11);
        Path target = tmp.resolve("out/video.bin");

        browser.get(w.base + "/");
        Await.until(Duration.ofSeconds(20), () -> state(failed).equals("failed"), () -> "failed row: " + state(failed));
        assertTrue(row(failed).findElement(By.cssSelector(".error")).getText().contains("Last error"),
                row(failed).getText());
        assertTrue(!browser.findElement(By.id("token-form")).isDisplayed(), "no token is configured, none is asked");
        assertEquals(List.of("Resume", "Give up"), buttons(failed), "a missing file may appear: resume is offered");
        Await.until(Duration.ofSeconds(20), () -> state(exists).equals("failed"), () -> "row: " + state(exists));
        assertEquals(List.of(), buttons(exists), row(exists).getText());

        String id = submit("/data/video.bin", target, "{\"segments\":3,\"minSegmentSize\":" + 1024 * KIB + "}");
        Await.until(Duration.ofSeconds(20), () -> state(id).equals("active") && width(id) > 0,
                () -> "active row with some progress: " + state(id) + " " + width(id));
        assertEquals(3, row(id).findElements(By.cssSelector(".segments .seg")).size());
        assertTrue(row(id).findElement(By.cssSelector(".meta")).getText().contains("/s"), "shows the rate");
        double first = width(id);
        Await.until(Duration.ofSeconds(20), () -> width(id) > first, () -> "bar still at " + first + " px");
        screenshot("status-page-running.png");

        Await.until(Duration.ofSeconds(40), () -> state(id).equals("done"), () -> "row is " + state(id));
        WebElement done = browser.findElement(By.cssSelector("#recent .transfer[data-id='" + id + "']"));
        assertTrue(done.findElement(By.cssSelector(".meta")).getText().startsWith("100.0%"), done.getText());
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        assertTrue(browser.findElements(By.cssSelector("#active .transfer")).isEmpty());
        Await.until(Duration.ofSeconds(10), () -> !browser.findElements(By.cssSelector("#health li.up")).isEmpty(),
                () -> "health chips: " + browser.findElement(By.id("health")).getText());
        screenshot("status-page-done.png");

        // A tree's files: each row names the folder its tree copied (the API's "tree", the "Folders" row's path).
        w.ftp.write("photos/a.jpg", 1000, 21);
        w.ftp.write("photos/b.jpg", 2000, 22);
        dev.ferry.tree.TreeResult r = new dev.ferry.tree.TreeRun(w.engine, "test", dev.ferry.tree.TreeLimits.DEFAULTS)
                .download("/photos/", tmp.resolve("photos"), dev.ferry.plan.TransferOptions.none());
        assertEquals(2, r.transferred(), r.toString());
        assertEquals(Hashes.sha256(w.ftp.file("photos/b.jpg")), Hashes.sha256(tmp.resolve("photos/b.jpg")));
        Await.until(Duration.ofSeconds(20), () -> browser.findElements(By.cssSelector("#recent .transfer .meta"))
                        .stream().filter(m -> m.getText().contains("in folder /photos")).count() == 2,
                () -> browser.findElement(By.id("recent")).getText());
    }

    private String submit(String remote, Path local, String options) throws Exception {
        var r = w.post("/api/transfers", "{\"direction\":\"DOWNLOAD\",\"server\":\"test\",\"remotePath\":\"" + remote
                + "\",\"localPath\":\"" + local + "\"" + (options == null ? "" : ",\"options\":" + options) + "}");
        assertEquals(202, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body()).get("id").asText();
    }

    private List<String> buttons(String id) {
        return row(id).findElements(By.cssSelector(".actions button")).stream().map(WebElement::getText).toList();
    }

    private WebElement row(String id) {
        return browser.findElement(By.cssSelector(".transfer[data-id='" + id + "']"));
    }

    private String state(String id) {
        List<WebElement> rows = browser.findElements(By.cssSelector(".transfer[data-id='" + id + "']"));
        return rows.isEmpty() ? "(no row)" : String.valueOf(rows.get(0).getAttribute("data-state"));
    }

    /** The whole-file bar's filled width in pixels, as drawn. */
    private double width(String id) {
        List<WebElement> fills = browser.findElements(By.cssSelector(".transfer[data-id='" + id + "'] .bar .fill"));
        return fills.isEmpty() ? -1 : fills.get(0).getRect().getWidth();
    }

    private void screenshot(String name) throws IOException {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Path dir = buildDir().resolve("web-screenshots");
        Files.createDirectories(dir);
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path buildDir() {
        String jar = System.getProperty("ferry.test.jar");
        return jar != null ? Path.of(jar).getParent() : Path.of("target");
    }
}
