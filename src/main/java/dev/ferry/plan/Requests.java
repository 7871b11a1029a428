package dev.ferry.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Requests as JSON: what the ledger stores for recovery, and what request files and queue messages carry. */
public final class Requests {
    private Requests() {
    }

    /** Written without Jackson (see {@link RequestJson}): a command-line run writes a request and never reads one. */
    public static String toJson(TransferRequest r) {
        return RequestJson.write(r);
    }

    public static TransferRequest fromJson(String json) {
        try {
            return Mapper.JSON.readValue(json, TransferRequest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid transfer request: " + e.getOriginalMessage(), e);
        }
    }

    /** The mapper, made on the first read only. */
    static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        private Mapper() {
        }
    }
}
