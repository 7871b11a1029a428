package dev.ferry.ftp.tls;

import javax.net.ssl.SSLException;

/**
 * A data connection of a {@code PROT P} session answered its TLS handshake with bytes that are no TLS record: the
 * server accepted PROT P and then sent (or expected) the data in plain, as one that keeps {@code PROT C} whatever it
 * says does. The JDK says only "Unsupported or unrecognized SSL message", which reads as a network fault and was tried
 * again as one; no retry makes such a server encrypt.
 */
public final class PlainDataException extends SSLException {
    /** The JDK's words for a first record that is not TLS (sun.security.ssl.SSLSocketInputRecord). */
    private static final String NOT_TLS = "Unsupported or unrecognized SSL message";

    PlainDataException(String command, SSLException cause) {
        super("the data connection of " + command + " is not TLS although the server accepted PROT P", cause);
    }

    /** Whether {@code e} is the JDK's report of a peer that did not speak TLS. */
    public static boolean saidBy(SSLException e) {
        return e.getMessage() != null && e.getMessage().startsWith(NOT_TLS);
    }
}
