package dev.ferry.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a server's control replies line by line and points passive-mode replies at the proxy, so that the
 * data connections a client opens pass through the proxy too: {@code 227 ... (h1,h2,h3,h4,p1,p2)} and
 * {@code 229 ... (|||port|)}. Every other byte passes unchanged.
 */
final class PassiveReplyRewriter implements Pump.Source {

    /** Opens a proxy listener that forwards to the server's data port; returns the listener's port. */
    interface DataPortOpener {
        int open(String serverHost, int serverPort) throws IOException;
    }

    private static final Pattern PASV =
            Pattern.compile("(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3})");
    private static final Pattern EPSV = Pattern.compile("\\(([!-~])\\1\\1(\\d{1,5})\\1\\)");
    private static final int LONGEST_PASSIVE_REPLY = 256;

    private final InputStream in;
    private final String controlHost;
    private final DataPortOpener opener;

    PassiveReplyRewriter(InputStream serverReplies, String controlHost, DataPortOpener opener) {
        this.in = new BufferedInputStream(serverReplies);
        this.controlHost = controlHost;
        this.opener = opener;
    }

    @Override
    public int read(byte[] buffer, int max) throws IOException {
        int length = 0;
        while (length < max) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            buffer[length++] = (byte) b;
            if (b == '\n') {
                break;
            }
        }
        if (length == 0) {
            return -1;
        }
        boolean wholeLine = buffer[length - 1] == '\n';
        if (!wholeLine || length < 4 || length > LONGEST_PASSIVE_REPLY || !startsWithPassiveCode(buffer)) {
            return length;
        }
        String line = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
        String rewritten = rewrite(line);
        byte[] bytes = rewritten.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(bytes, 0, buffer, 0, bytes.length);
        return bytes.length;
    }

    private static boolean startsWithPassiveCode(byte[] b) {
        return b[0] == '2' && b[1] == '2' && (b[2] == '7' || b[2] == '9') && b[3] == ' ';
    }

    private String rewrite(String line) throws IOException {
        if (line.startsWith("227 ")) {
            Matcher m = PASV.matcher(line);
            if (!m.find()) {
                return line;
            }
            String host = m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4);
            if ("0.0.0.0".equals(host)) {
                host = controlHost;
            }
            int port = Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
            int proxyPort = opener.open(host, port);
            String tuple = "127,0,0,1," + (proxyPort >> 8) + "," + (proxyPort & 0xFF);
            return line.substring(0, m.start()) + tuple + line.substring(m.end());
        }
        Matcher m = EPSV.matcher(line);
        if (!m.find()) {
            return line;
        }
        int proxyPort = opener.open(controlHost, Integer.parseInt(m.group(2)));
        String d = m.group(1);
        return line.substring(0, m.start()) + "(" + d + d + d + proxyPort + d + ")" + line.substring(m.end());
    }
}
