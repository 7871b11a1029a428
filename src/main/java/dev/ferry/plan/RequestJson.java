package dev.ferry.plan;

/**
 * A request written as JSON by hand, as {@link Requests}'s Jackson mapper writes it (same fields, order and
 * omissions, so either reads the other's). Every transfer records its request; writing it with Jackson cost a
 * command-line run ~500 classes before the first byte, and reading (recovery, the API) is where Jackson is needed.
 */
final class RequestJson {
    private RequestJson() {
    }

    static String write(TransferRequest r) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "direction", r.direction().name());
        field(b, "server", r.server());
        field(b, "remotePath", r.remotePath());
        field(b, "localPath", r.localPath());
        b.append(",\"options\":");
        options(b, r.options());
        field(b, "tree", r.tree());
        number(b, "followLinks", r.followLinks());
        field(b, "sourceRoot", r.sourceRoot());
        return b.append('}').toString();
    }

    private static void options(StringBuilder b, TransferOptions o) {
        int start = b.length();
        b.append('{');
        number(b, "segments", o.segments());
        number(b, "minSegmentSize", o.minSegmentSize());
        number(b, "checkpointBytes", o.checkpointBytes());
        number(b, "checkpointMillis", o.checkpointMillis());
        field(b, "uploadStrategy", o.uploadStrategy() == null ? null : o.uploadStrategy().name());
        number(b, "verifyChecksum", o.verifyChecksum());
        number(b, "rateLimit", o.rateLimit());
        number(b, "maxAttempts", o.maxAttempts());
        number(b, "overwrite", o.overwrite());
        field(b, "fileExist", o.fileExist() == null ? null : o.fileExist().json());
        b.append('}');
        if (b.charAt(start + 1) == ',') {
            b.deleteCharAt(start + 1);
        }
    }

    /** A number or boolean, left out when null (the mapper's NON_NULL). */
    private static void number(StringBuilder b, String name, Object value) {
        if (value != null) {
            b.append(",\"").append(name).append("\":").append(value);
        }
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        if (b.charAt(b.length() - 1) != '{') {
            b.append(',');
        }
        b.append('"').append(name).append("\":");
        string(b, value);
    }

    /** RFC 8259 escaping as Jackson does it: quote, backslash and control characters; the rest as it is. */
    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
