/**
 * The FTPS clients behind {@code dev.ferry.ftp.Tls}.
 *
 * <ul>
 *   <li>{@link SessionReusingFtpsClient}: explicit FTPS whose data connections reuse the control connection's TLS
 *       session (servers that require it, such as vsftpd with {@code require_ssl_reuse}, refuse a fresh one), over
 *       TLS 1.2, which that reuse needs with the JDK, and over TLS 1.3 on a connection whose 1.2 handshake the server
 *       refused; its sessions kept without the JDK's 24-hour limit, so a control connection busy for a day still
 *       lends its session. The server certificate is checked for the host name as well as the chain, on every data
 *       connection as on the control connection. PBSZ/PROT P go before the login, and again after it where the
 *       server refused them as not logged in (530/503).</li>
 *   <li>{@link UnexpiredServerCertificate}: the server's own certificate within its dates even when the trust store
 *       holds it (the JDK checks no dates of a trust anchor).</li>
 *   <li>{@link PlainDataException}: a data connection that does not speak TLS after PROT P was accepted; the session
 *       turns it into {@code ftp.UnprotectedDataException}, permanent and naming the server, not a network fault
 *       tried again.</li>
 *   <li>{@link DataSockets}: both clients (plain and TLS) close a data socket whose command was left unanswered,
 *       which commons-net leaves open.</li>
 * </ul>
 */
package dev.ferry.ftp.tls;
