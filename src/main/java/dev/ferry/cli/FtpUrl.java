package dev.ferry.cli;

import dev.ferry.ftp.Secret;
import dev.ferry.ftp.TlsMode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code ftp://user[:password]@host[:port]/path} or {@code ftps://…} (explicit TLS). Parsed by hand rather than
 * with {@link java.net.URI} so that a path with spaces or Chinese characters can be typed as it is; %XX escapes
 * are decoded as UTF-8. {@link #toString()} never shows the password.
 */
record FtpUrl(TlsMode tls, String user, Secret password, String host, int port, String path) {

    static FtpUrl parse(String text) {
        String rest;
        TlsMode tls;
        if (text.regionMatches(true, 0, "ftp://", 0, 6)) {
            tls = TlsMode.NONE;
            rest = text.substring(6);
        } else if (text.regionMatches(true, 0, "ftps://", 0, 7)) {
            tls = TlsMode.EXPLICIT;
            rest = text.substring(7);
        } else {
            throw new UsageException("'" + redact(text) + "' is not an ftp:// or ftps:// URL");
        }
        int slash = rest.indexOf('/');
        if (slash < 0 || slash == rest.length() - 1) {
            throw new UsageException("URL " + redact(text) + " names no remote file (expected ftp://host/path/file)");
        }
        String authority = rest.substring(0, slash);
        String path = decode(rest.substring(slash));
        String user = "anonymous";
        Secret password = Secret.none();
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (colon >= 0) {
                password = Secret.of(decode(userInfo.substring(colon + 1)));
            }
        }
        int open = authority.indexOf('[');
        int close = authority.indexOf(']');
        if ((open >= 0 || close >= 0) && !(open == 0 && close > 0)) {
            // "[::1/x": the resolver's "unknown host [:" (exit 1) said nothing of the typing mistake.
            throw new UsageException("the host in " + redact(text) + " has an unmatched '[' or ']': an IPv6 address is"
                    + " written whole in brackets, as ftp://[::1]:21/path");
        }
        String host = authority;
        int port = 21;
        int colon = authority.lastIndexOf(':');
        if (colon > 0 && !authority.endsWith("]")) {
            host = authority.substring(0, colon);
            String portText = authority.substring(colon + 1);
            if (!portText.matches("[+-]?[0-9]+")) {
                if (rest.indexOf('@', slash) >= 0) {
                    // "ftp://user:pa/ss@host/f": the '/' ended the host part inside the password, which is then
                    // neither a port nor maskable as one; nothing of it is printed.
                    throw new UsageException("the URL " + text.substring(0, text.indexOf("://") + 3) + "… has a '/'"
                            + " before its '@': a user name or password holding '/' must write it as %2F (or give the"
                            + " password with --password-env)");
                }
                throw new UsageException("port '" + portText + "' in " + redact(text) + " is not a number");
            }
            // Checked here, so that the mistake is reported as the command line's (exit 2) with the URL masked.
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new UsageException("port " + portText + " in " + redact(text)
                        + " is not a TCP port (1 to 65535)");
            }
        }
        if (host.isEmpty()) {
            throw new UsageException("URL " + redact(text) + " names no host");
        }
        return new FtpUrl(tls, user, password, host, port, path);
    }

    /** The URL with any password replaced, for messages. */
    /**
     * The URL with the password between its user's ':' and the host's '@' masked, whatever its scheme: a URL refused
     * for its scheme ("sftp://", "ftp:/") is printed too. A password may hold a raw '@': the last one before the path
     * ends it.
     */
    static String redact(String url) {
        return dev.ferry.plan.Urls.masked(url);
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length) {
                int hi = Character.digit(raw[i + 1], 16);
                int lo = Character.digit(raw[i + 2], 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi * 16 + lo);
                    i += 2;
                    continue;
                }
            }
            out.write(raw[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return (tls == TlsMode.EXPLICIT ? "ftps://" : "ftp://") + user + "@" + host + ":" + port + path;
    }
}
