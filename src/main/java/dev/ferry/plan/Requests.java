package dev.ferry.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Requests as JSON: what the ledger stores for recovery, and what request files and queue messages carry. */
public final class Requests {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Requests() {
    }

    public static String toJson(TransferRequest r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write request " + r + " as JSON", e);
        }
    }

    public static TransferRequest fromJson(String json) {
        try {
            return JSON.readValue(json, TransferRequest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid transfer request: " + e.getOriginalMessage(), e);
        }
    }
}
