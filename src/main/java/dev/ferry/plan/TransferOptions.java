package dev.ferry.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.ftp.UploadStrategy;

/**
 * How one transfer runs. Every field has a default, so a request names only what it changes.
 *
 * @param segments          most connections this transfer uses (the server's cap may allow fewer)
 * @param minSegmentSize    a file is split only into segments at least this large
 * @param checkpointBytes   a download forces its data and records its offset at least this often; an upload
 *                          sends chunks of this size, each confirmed by the server's 226
 * @param checkpointMillis  ...and at least this often in time
 * @param uploadStrategy    AUTO (from the probe) or a fixed strategy
 * @param verifyChecksum    compare against the server's hash where it has one
 * @param rateLimit         bytes per second for the whole transfer, 0 for no limit
 * @param maxAttempts       tries of a segment in a row that move no byte before the transfer fails
 * @param overwrite         the old spelling of {@code fileExist}: true is Override, false is Fail (read, never stored)
 * @param fileExist         what happens when the final name is taken (default Fail; see {@link FileExist})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransferOptions(
        Integer segments,
        Long minSegmentSize,
        Long checkpointBytes,
        Long checkpointMillis,
        UploadStrategy uploadStrategy,
        Boolean verifyChecksum,
        Long rateLimit,
        Integer maxAttempts,
        Boolean overwrite,
        FileExist fileExist) {

    public static final TransferOptions DEFAULTS =
            new TransferOptions(4, 8L << 20, 4L << 20, 1000L, UploadStrategy.AUTO, true, 0L, 8, null, FileExist.FAIL);

    public TransferOptions {
        if (overwrite != null) {
            FileExist alias = FileExist.ofOverwrite(overwrite);
            if (fileExist != null && fileExist != alias) {
                throw new IllegalArgumentException("overwrite=" + overwrite + " and fileExist=" + fileExist.camelName()
                        + " disagree; give only fileExist");
            }
            fileExist = alias;
            overwrite = null;
        }
    }

    /** Without fileExist, as before it existed: {@code overwrite} decides. */
    public TransferOptions(Integer segments, Long minSegmentSize, Long checkpointBytes, Long checkpointMillis,
                           UploadStrategy uploadStrategy, Boolean verifyChecksum, Long rateLimit, Integer maxAttempts,
                           Boolean overwrite) {
        this(segments, minSegmentSize, checkpointBytes, checkpointMillis, uploadStrategy, verifyChecksum, rateLimit,
                maxAttempts, overwrite, null);
    }

    /** These options, with every field left null taken from {@code base}. */
    public TransferOptions over(TransferOptions base) {
        return new TransferOptions(
                segments != null ? segments : base.segments,
                minSegmentSize != null ? minSegmentSize : base.minSegmentSize,
                checkpointBytes != null ? checkpointBytes : base.checkpointBytes,
                checkpointMillis != null ? checkpointMillis : base.checkpointMillis,
                uploadStrategy != null ? uploadStrategy : base.uploadStrategy,
                verifyChecksum != null ? verifyChecksum : base.verifyChecksum,
                rateLimit != null ? rateLimit : base.rateLimit,
                maxAttempts != null ? maxAttempts : base.maxAttempts,
                null,
                fileExist != null ? fileExist : base.fileExist);
    }

    /**
     * These options if every value given is in range, else an {@link IllegalArgumentException} naming the first
     * field that is not ("field 'options.rateLimit' must be 0 (no limit) or more, found -5"): a negative rate or
     * attempt count would otherwise be taken as given and fail, or never stop, much later.
     */
    public TransferOptions checked() {
        atLeast("segments", segments, 1, "");
        atLeast("minSegmentSize", minSegmentSize, 1, " byte");
        atLeast("checkpointBytes", checkpointBytes, 1, " byte");
        atLeast("checkpointMillis", checkpointMillis, 1, " millisecond");
        atLeast("rateLimit", rateLimit, 0, " (no limit)");
        atLeast("maxAttempts", maxAttempts, 1, "");
        return this;
    }

    private static void atLeast(String field, Number value, long min, String unit) {
        if (value != null && value.longValue() < min) {
            throw new IllegalArgumentException("field 'options." + field + "' must be " + min + unit + " or more,"
                    + " found " + value);
        }
    }

    public static TransferOptions none() {
        return new TransferOptions(null, null, null, null, null, null, null, null, null, null);
    }

    public TransferOptions withSegments(int n) {
        return new TransferOptions(n, minSegmentSize, checkpointBytes, checkpointMillis, uploadStrategy,
                verifyChecksum, rateLimit, maxAttempts, null, fileExist);
    }

    public TransferOptions withMinSegmentSize(long n) {
        return new TransferOptions(segments, n, checkpointBytes, checkpointMillis, uploadStrategy, verifyChecksum,
                rateLimit, maxAttempts, null, fileExist);
    }

    public TransferOptions withCheckpointBytes(long n) {
        return new TransferOptions(segments, minSegmentSize, n, checkpointMillis, uploadStrategy, verifyChecksum,
                rateLimit, maxAttempts, null, fileExist);
    }

    public TransferOptions withUploadStrategy(UploadStrategy s) {
        return new TransferOptions(segments, minSegmentSize, checkpointBytes, checkpointMillis, s, verifyChecksum,
                rateLimit, maxAttempts, null, fileExist);
    }

    public TransferOptions withRateLimit(long bytesPerSecond) {
        return new TransferOptions(segments, minSegmentSize, checkpointBytes, checkpointMillis, uploadStrategy,
                verifyChecksum, bytesPerSecond, maxAttempts, null, fileExist);
    }

    public TransferOptions withMaxAttempts(int n) {
        return new TransferOptions(segments, minSegmentSize, checkpointBytes, checkpointMillis, uploadStrategy,
                verifyChecksum, rateLimit, n, null, fileExist);
    }

    public TransferOptions withFileExist(FileExist f) {
        return new TransferOptions(segments, minSegmentSize, checkpointBytes, checkpointMillis, uploadStrategy,
                verifyChecksum, rateLimit, maxAttempts, null, f);
    }

    public TransferOptions withVerifyChecksum(boolean verify) {
        return new TransferOptions(segments, minSegmentSize, checkpointBytes, checkpointMillis, uploadStrategy, verify,
                rateLimit, maxAttempts, null, fileExist);
    }
}
