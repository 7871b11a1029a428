package dev.ferry.ftp;

/** How a session protects its control and data connections. */
public enum TlsMode {
    /** Plain FTP. */
    NONE,
    /** Explicit FTPS: AUTH TLS on the control connection, PROT P for data. */
    EXPLICIT
}
