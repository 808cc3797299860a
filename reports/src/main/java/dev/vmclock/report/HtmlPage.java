package dev.vmclock.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A self-contained HTML file: styles and script inlined from resources, the data embedded as JSON in a
 * {@code <script type="application/json">} element. Nothing is fetched, so the file opens offline and
 * can be archived or mailed as it is.
 */
final class HtmlPage {

    private static final String BASE = "/dev/vmclock/report/";

    private HtmlPage() {
    }

    static String render(String title, String script, Object data) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                + "script-src 'unsafe-inline'; img-src data:\">\n"
                + "<title>" + escape(title) + "</title>\n<style>\n" + resource("report.css") + "</style>\n</head>\n"
                + "<body>\n<main id=\"app\"><noscript>This report needs JavaScript to display; its data is report.json.</noscript></main>\n"
                + "<script type=\"application/json\" id=\"report-data\">" + embed(ReportJson.toJson(data)) + "</script>\n"
                + "<script>\n" + resource("common.js") + resource(script) + "</script>\n</body>\n</html>\n";
    }

    static void write(Path file, String html) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ReportJson.notWritable(file, e);
        }
    }

    /** '<' only occurs inside JSON strings, where \u003c means the same: no "</script>" can end the element early. */
    static String embed(String json) {
        return json.replace("<", "\\u003c");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String resource(String name) {
        try (InputStream in = HtmlPage.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException(BASE + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
