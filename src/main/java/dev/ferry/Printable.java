package dev.ferry;

/**
 * Text with every character that could end a line or move the cursor shown as \\uXXXX: for names that reach a log
 * line ({@link PrintableMessage}) or the command line's own lines, where a name holding a line break would otherwise
 * start a line that reads like one Ferry wrote.
 */
public final class Printable {
    private Printable() {
    }

    /** {@code message} with its control characters as \\uXXXX. */
    public static String of(String message) {
        if (message == null) {
            return "null";
        }
        int i = 0;
        while (i < message.length() && !control(message.charAt(i))) {
            i++;
        }
        if (i == message.length()) {
            return message; // the common case: no copy
        }
        StringBuilder b = new StringBuilder(message.length() + 16).append(message, 0, i);
        for (; i < message.length(); i++) {
            char c = message.charAt(i);
            if (control(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // A tab cannot start a line; everything else below 0x20, DEL and the C1 controls (NEL among them) can move the
    // cursor or be read as a line end.
    private static boolean control(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
