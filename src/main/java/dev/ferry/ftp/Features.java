package dev.ferry.ftp;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** The FEAT reply, parsed once: feature names upper case, and the HASH algorithms it lists. */
record Features(Set<String> names, Set<String> hashAlgorithms, boolean restStream) {

    static Features parse(String[] replyLines) {
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        boolean restStream = false;
        if (replyLines != null) {
            for (String line : replyLines) {
                // Feature lines start with a space; the first and last lines are the 211 frame.
                if (!line.startsWith(" ")) {
                    continue;
                }
                String feature = line.strip();
                String upper = feature.toUpperCase(Locale.ROOT);
                String name = upper.split("\\s+", 2)[0];
                names.add(name);
                if (name.equals("REST") && upper.contains("STREAM")) {
                    restStream = true;
                }
                if (name.equals("HASH") && feature.length() > 4) {
                    for (String a : feature.substring(4).strip().split(";")) {
                        hashes.add(a.replace("*", "").strip().toUpperCase(Locale.ROOT));
                    }
                }
            }
        }
        return new Features(Set.copyOf(names), Set.copyOf(hashes), restStream);
    }

    boolean has(String name) {
        return names.contains(name);
    }
}
