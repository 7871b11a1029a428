package dev.ferry.camel;

import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.FileExist;
import dev.ferry.plan.TransferOptions;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/**
 * Every option of a {@code ferry:} endpoint, in one place, so the catalog and the docs come from the code. Options
 * left unset fall back to the request's own options, then to the server profile, then to the engine's defaults.
 */
@UriParams
public class FerryConfiguration implements Cloneable {

    @UriPath(description = "What the endpoint does: accept, plan, segment, publish, transfer (accept and run in one),"
            + " or batch (accept and run in one, many small transfers to one ledger commit)")
    @Metadata(required = true, enums = "accept,plan,segment,publish,transfer,batch")
    private FerryOperation operation;

    @UriParam(description = "The server profile (ferry.servers.NAME.*) for uploads and for requests that name none;"
            + " default: ferry.default-server")
    private String server;

    @UriParam(description = "Remote directory an uploaded file goes to (its name relative to the inbox is kept);"
            + " default: the profile's remote-dir, else /")
    private String remoteDir;

    @UriParam(description = "Local directory a download request's localPath is resolved in (nothing may leave it);"
            + " default: ferry.download-dir")
    private String downloadDir;

    @UriParam(description = "Most connections one transfer uses (the server's connection limit may allow fewer)",
            defaultValue = "4")
    private Integer segments;

    @UriParam(description = "A file is split only into segments at least this large, in bytes",
            defaultValue = "8388608")
    private Long minSegmentSize;

    @UriParam(description = "AUTO (probed per server), PARALLEL, SEQUENTIAL or RESTART", defaultValue = "AUTO",
            enums = "AUTO,PARALLEL,SEQUENTIAL,RESTART")
    private UploadStrategy uploadStrategy;

    @UriParam(description = "Verify against the server's hash (HASH, XSHA256, XMD5...) where it has one",
            defaultValue = "true")
    private Boolean checksum;

    @UriParam(description = "Bytes per second for one whole transfer, 0 for no limit", defaultValue = "0")
    private Long rateLimit;

    @UriParam(description = "The old spelling of fileExist: true is Override, false is Fail")
    private Boolean overwrite;

    @UriParam(description = "When the final name is taken, as camel-file's fileExist: Fail (refuse, naming the file),"
            + " Override (replace it once the new copy is verified), Ignore (keep it, move nothing, report skipped) or"
            + " TryRename (no check; the final rename never replaces a local file); default: ferry.file-exist, Fail",
            enums = "Fail,Override,Ignore,TryRename")
    private FileExist fileExist;

    @UriParam(description = "Upload a dropped symbolic link (to a regular file) instead of refusing"
            + " it; default: the component's followLinks (ferry.inbox.follow-links), false")
    private Boolean followLinks;

    @UriParam(description = "Tries of a segment in a row that move no byte before the transfer fails",
            defaultValue = "8")
    private Integer maxAttempts;

    @UriParam(label = "batch", description = "batch: transfers that run at once, each on its own lane thread",
            defaultValue = "4")
    private int lanes = 4;

    @UriParam(label = "batch", description = "batch: most transfers one lane records in one ledger commit",
            defaultValue = "64")
    private int batchSize = 64;

    /** Options this endpoint sets, to lay under a request's own options (a request file wins). */
    public TransferOptions options() {
        return new TransferOptions(segments, minSegmentSize, null, null, uploadStrategy, checksum, rateLimit,
                maxAttempts, overwrite, fileExist);
    }

    public FerryConfiguration copy() {
        try {
            return (FerryConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public FerryOperation getOperation() { return operation; }
    public void setOperation(FerryOperation operation) { this.operation = operation; }
    public String getServer() { return server; }
    public void setServer(String server) { this.server = server; }
    public String getRemoteDir() { return remoteDir; }
    public void setRemoteDir(String remoteDir) { this.remoteDir = remoteDir; }
    public String getDownloadDir() { return downloadDir; }
    public void setDownloadDir(String downloadDir) { this.downloadDir = downloadDir; }
    public Integer getSegments() { return segments; }
    public void setSegments(Integer segments) { this.segments = segments; }
    public Long getMinSegmentSize() { return minSegmentSize; }
    public void setMinSegmentSize(Long minSegmentSize) { this.minSegmentSize = minSegmentSize; }
    public UploadStrategy getUploadStrategy() { return uploadStrategy; }
    public void setUploadStrategy(UploadStrategy uploadStrategy) { this.uploadStrategy = uploadStrategy; }
    public Boolean getChecksum() { return checksum; }
    public void setChecksum(Boolean checksum) { this.checksum = checksum; }
    public Long getRateLimit() { return rateLimit; }
    public void setRateLimit(Long rateLimit) { this.rateLimit = rateLimit; }
    public Boolean getOverwrite() { return overwrite; }
    public void setOverwrite(Boolean overwrite) { this.overwrite = overwrite; }
    public FileExist getFileExist() { return fileExist; }
    public void setFileExist(FileExist fileExist) { this.fileExist = fileExist; }
    public Boolean getFollowLinks() { return followLinks; }
    public void setFollowLinks(Boolean followLinks) { this.followLinks = followLinks; }
    public Integer getMaxAttempts() { return maxAttempts; }
    public int getLanes() { return lanes; }
    public void setLanes(int lanes) { this.lanes = lanes; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    public void setMaxAttempts(Integer maxAttempts) { this.maxAttempts = maxAttempts; }
}
