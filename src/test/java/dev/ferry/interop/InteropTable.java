package dev.ferry.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns {@code interop-results.txt} (written by {@link InteropResults}) into the Markdown table of docs/INTEROP.md:
 * one row per feature, one column per server, each cell ✅, ❌ with the failure, ⏭ with why it was skipped, or
 * "—" where the case does not apply to that server. Run by the interop suite at its end, or by hand:
 * {@code java -cp target/test-classes dev.ferry.interop.InteropTable target/interop-results.txt docs/INTEROP.md}.
 */
public final class InteropTable {
    private InteropTable() {
    }

    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), Path.of(args[1]));
    }

    static void write(Path results, Path table) throws IOException {
        if (!Files.exists(results)) {
            return;
        }
        Files.createDirectories(table.toAbsolutePath().getParent());
        Files.writeString(table, markdown(Files.readAllLines(results, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    static String markdown(List<String> lines) {
        Map<Integer, String> features = new TreeMap<>();
        Map<String, Map<String, String>> cells = new LinkedHashMap<>();
        int pass = 0;
        int fail = 0;
        int skip = 0;
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f.length < 5) {
                continue;
            }
            features.put(Integer.parseInt(f[0]), f[1]);
            String status = f[3];
            String note = f[4].isBlank() ? "" : " " + f[4];
            String cell = switch (status) {
                case "PASS" -> { pass++; yield "✅" + note; }
                case "FAIL" -> { fail++; yield "❌" + note; }
                default -> { skip++; yield "⏭" + note; }
            };
            cells.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).merge(f[2], cell, (a, b) -> a + "<br>" + b);
        }
        List<String> servers = new ArrayList<>(Arrays.stream(InteropServer.Kind.values()).map(k -> k.label).toList());
        for (Map<String, String> row : cells.values()) {
            row.keySet().stream().filter(s -> !servers.contains(s)).forEach(servers::add);
        }
        StringBuilder md = new StringBuilder();
        md.append("| Feature | ").append(String.join(" | ", servers)).append(" |\n");
        md.append("|---|").append("---|".repeat(servers.size())).append('\n');
        for (String feature : features.values()) {
            Map<String, String> row = cells.getOrDefault(feature, Map.of());
            md.append("| ").append(feature).append(" |");
            for (String server : servers) {
                md.append(' ').append(row.getOrDefault(server, "—")).append(" |");
            }
            md.append('\n');
        }
        md.append("\n").append(pass).append(" passed, ").append(fail).append(" failed, ").append(skip)
                .append(" skipped.\n");
        return md.toString();
    }
}
