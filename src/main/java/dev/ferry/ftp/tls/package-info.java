/**
 * The FTPS clients behind {@code dev.ferry.ftp.Tls}.
 *
 * <ul>
 *   <li>{@link SessionReusingFtpsClient}: explicit FTPS whose data connections reuse the control connection's TLS
 *       session (servers that require it, such as vsftpd with {@code require_ssl_reuse}, refuse a fresh one), with the server certificate checked for the host
 *       name as well as the chain.</li>
 *   <li>{@link DataSockets}: both clients (plain and TLS) close a data socket whose command was left unanswered,
 *       which commons-net leaves open.</li>
 * </ul>
 */
package dev.ferry.ftp.tls;
