/**
 * Everything that speaks FTP, over commons-net: sessions, their capabilities, the per-server connection cap, listings
 * and the failure types the engine tells apart.
 *
 * <h2>Sessions</h2>
 * <ul>
 *   <li>{@link FtpSession}: one logged-in control connection. Every reply is checked; RETR/STOR/APPE stream from an
 *       offset; replies are drained after an early stop. It remembers the directories it made or found and the hash
 *       algorithm OPTS HASH selected, so a burst of uploads into one directory asks once.</li>
 *   <li>An upload's 226 may come long after the read timeout when the server reads slower than the socket buffers
 *       filled: it is waited for again while the kernel's queue of the closed connection's unacknowledged bytes
 *       shrinks ({@link SendQueue}, Linux's {@code /proc/net/tcp}, read only once the answer is late), then for a
 *       minute more while the server reads its own buffer.</li>
 *   <li>{@code FtpSession.cut} ends an upload's data connection from any thread (a cancel, the engine's
 *       {@code StalledWrites}) by closing its plain socket, because TLS's close waits for the lock a blocked write
 *       holds; a broken TLS session is closed without waiting out the read timeout for the server's close_notify.</li>
 *   <li>{@link DirectSockets}: sockets made with {@code Proxy.NO_PROXY} where the JDK's proxy selector could only say
 *       "no proxy" (no SOCKS property, no system proxies, no selector of the application's own). A plain socket
 *       parses a URI per connect, a few per cent of a small-file lane's CPU; with any proxy configured sockets are
 *       made as before.</li>
 * </ul>
 *
 * <h2>Capabilities</h2>
 * {@link CapabilityProbe} builds {@link Capabilities} from FEAT ({@link Features}) and write tests: REST+STOR in
 * place, APPE, hash algorithms, whether range hashes are honoured. {@link CapabilityMemory} keeps definitive upload
 * answers beyond the process; {@link UploadStrategy} picks from them.
 *
 * <h2>Connections</h2>
 * {@link SessionPool} keeps one connection cap per server, shared by all transfers (idle sessions count, because the
 * server counts them). A "too many connections" (421/530) lowers the cap to what is open for a cooldown, and the
 * caller waits only while one of ours is open to free a place; with none open the refusal is the caller's (a
 * transient failure). {@code tryBorrow} is for optional work that must not wait; {@code prewarm} logs in the
 * sessions a plan will need while it is still planning. A session is closed after 500 transfers, because a server
 * process may grow with each (proftpd's mod_digest cache). Each place is a {@link ConnectionPermits} permit:
 * {@link LocalPermits} in one process, the ledger's {@code ConnectionSlots} across a cluster.
 *
 * <h2>Servers and TLS</h2>
 * {@link ServerProfile}/{@link ServerProfiles} describe servers; {@link Secret} is a password that never prints.
 * {@link Tls}, {@link TlsMode} and {@code tls.SessionReusingFtpsClient} give explicit FTPS with TLS session reuse on
 * data connections and the certificate checked for the host name; a refused AUTH TLS — or one answered 234 and
 * then spoken in plain text — is {@link TlsRefusedException}, never a fall-back to plain FTP, and a trust store
 * given without TLS is refused before anything is sent. Plain data after PROT P is {@link UnprotectedDataException}
 * (see {@code tls}).
 *
 * <h2>Listings</h2>
 * <ul>
 *   <li>{@link ListingClient} + {@link TolerantMlsd}: both clients read MLSD with a parser that names every line by
 *       its facts where commons-net's throws or gives up (e.g. proftpd's {@code perm=;} for a folder the user may not
 *       read). {@code FtpSession.list} also takes vsftpd's own-line answer to LIST of such a folder as a refusal.</li>
 *   <li>{@link ListingLines}: a name's own CR or LF stays in the name (and the entry is then refused by it), where
 *       commons-net split it into a wrong file and a broken line. A listing is read to at most {@code MAX_LINES}
 *       (200,000, twice a tree's default entry limit), so one that never ends is cut rather than held in memory.</li>
 *   <li>{@link RemoteFile}: a listed or stat'ed file's size and time.</li>
 * </ul>
 *
 * <h2>Failures</h2>
 * {@link FtpException} (transient or permanent; {@code reply} treats vsftpd's "500 OOPS" as transient),
 * {@link LoginRefusedException}, {@link ServerUnreachableException} (nothing answered: an outage),
 * {@link RemoteNotFoundException}, {@link RemoteFolderException} / {@link RemoteNotFolderException} (a file asked for
 * is a folder, or the reverse), {@link TooManyConnectionsException}, {@link TlsCertificateException} (the server's
 * certificate refused: untrusted, another name, out of date — permanent, the command line's exit 8),
 * {@link PermitUnavailableException} (the
 * permits could not be read — a cluster's ledger did not answer — so nothing was asked of the server: the health
 * check does not blame the server for it).
 */
package dev.ferry.ftp;
