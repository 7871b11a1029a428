package dev.ferry.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refuses an upload inbox, a request inbox and a download folder that are not apart. Each route's output would be
 * another's input: a download published into the upload inbox was uploaded again and filed in .done/, a download
 * folder inside it was taken as a folder drop and moved away, and a request file in the upload inbox was both sent
 * to the server and run as a download. The demo server's root, when it runs, is one more: an upload published into
 * the upload inbox is dropped again, and a download from it into it is its own source.
 */
final class FolderOverlap {
    private static final String DEMO_ROOT = "ferry.demo.root";

    private FolderOverlap() {
    }

    /** @throws IllegalStateException one line naming both keys and folders of every pair that overlaps */
    static void refuse(FerrySettings settings) {
        Map<String, Path> given = new LinkedHashMap<>();
        given.put("ferry.inbox.upload", settings.uploadInbox());
        given.put("ferry.inbox.requests", settings.requestInbox());
        given.put("ferry.download-dir", settings.downloadDir());
        boolean demo = settings.serverNames().isEmpty(); // as FerryService decides it
        if (demo) {
            given.put(DEMO_ROOT, settings.demoRoot());
        }
        List<String> keys = List.copyOf(given.keySet());
        Map<String, Path> real = new LinkedHashMap<>();
        given.forEach((key, path) -> real.put(key, real(path)));
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            for (int j = i + 1; j < keys.size(); j++) {
                String a = keys.get(i);
                String b = keys.get(j);
                Path ra = real.get(a);
                Path rb = real.get(b);
                if (ra.equals(rb)) {
                    problems.add(named(settings, a, given, real) + " is the same folder as "
                            + named(settings, b, given, real));
                } else if (ra.startsWith(rb)) {
                    problems.add(named(settings, a, given, real) + " is inside " + named(settings, b, given, real));
                } else if (rb.startsWith(ra)) {
                    problems.add(named(settings, b, given, real) + " is inside " + named(settings, a, given, real));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("configuration: " + String.join("; ", problems) + ": each would take the"
                    + " other's files as its own; give the upload inbox, the request inbox and the download folder a"
                    + " folder each, none inside another (as the defaults under ferry.data-dir: inbox/upload,"
                    + " inbox/requests, downloads" + (demo ? ", and ftp-root for " + DEMO_ROOT + ", the demo server's"
                    + " files" : "") + ")");
        }
    }

    private static String named(FerrySettings settings, String key, Map<String, Path> given, Map<String, Path> real) {
        Path path = given.get(key);
        String link = real.get(key).equals(path) ? "" : ", " + real.get(key) + " through a link";
        return key + " = " + path + " (" + settings.origin(key) + link + ")";
    }

    /**
     * The folder with the links of its existing part resolved: two names may be one folder through a link, and a
     * folder the service will create has no real path yet.
     */
    static Path real(Path folder) {
        Path absolute = folder.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            // Unreadable on the way: compared as written; creating it will fail with its own reason.
            return absolute;
        }
    }
}
