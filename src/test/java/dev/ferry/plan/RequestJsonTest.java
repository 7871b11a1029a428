package dev.ferry.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.ftp.UploadStrategy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written request JSON is the mapper's, byte for byte, and reads back as the same request. */
class RequestJsonTest {
    private static final List<TransferRequest> REQUESTS = List.of(
            new TransferRequest(Direction.DOWNLOAD, "demo", "/a.bin", "/tmp/a.bin", TransferOptions.none()),
            new TransferRequest(Direction.UPLOAD, "u@h:21", "/dir/ü \"q\" \\ b.iso", "/tmp/x\ny\t\u0001\u001f\u007f€",
                    TransferOptions.DEFAULTS),
            new TransferRequest(Direction.DOWNLOAD, "s", "/r", "/l",
                    new TransferOptions(null, null, null, null, UploadStrategy.SEQUENTIAL, false, null, 3, null,
                            FileExist.TRYRENAME)),
            new TransferRequest(Direction.UPLOAD, "s", "/r", "/l",
                    new TransferOptions(8, 1L, 2L, 3L, null, null, 4L, null, null, null)),
            new TransferRequest(Direction.UPLOAD, "s", "/\b\f\r", "/l",
                    new TransferOptions(null, null, null, null, null, null, null, null, true, null)),
            new TransferRequest(Direction.UPLOAD, "s", "/r", "/inbox/x.bin", TransferOptions.none(), null, false),
            new TransferRequest(Direction.UPLOAD, "s", "/r", "/l", TransferOptions.none(), "u-1", true),
            new TransferRequest(Direction.UPLOAD, "s", "/r", "/l/a/b", TransferOptions.none(), "u-1", null, "/l"));

    @Test
    void writesWhatTheMapperWrites() throws Exception {
        for (TransferRequest r : REQUESTS) {
            String mapper = Requests.Mapper.JSON.writeValueAsString(r);
            assertEquals(mapper, RequestJson.write(r), r.toString());
            assertEquals(r, Requests.fromJson(Requests.toJson(r)));
        }
    }
}
