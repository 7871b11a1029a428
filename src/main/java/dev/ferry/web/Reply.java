package dev.ferry.web;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An HTTP answer before it is written: status, content type, body, and any extra headers. */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json; charset=utf-8";

    static Reply json(int status, String body) {
        return new Reply(status, JSON, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply text(int status, String contentType, String body) {
        return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, Map.copyOf(h));
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
