package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The service's JSON API as a test uses it: a transfer posted, and its fields read while a test waits on them. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    /** @param base the status page's address, ending in "/" ({@link FerryService#webUrl}) */
    ApiClient(String base) {
        this.base = base;
    }

    /** POST /api/transfers, which must be accepted (202): the transfer's id. */
    String post(String json) throws Exception {
        HttpResponse<String> r = send("api/transfers", json);
        assertEquals(202, r.statusCode(), r.body());
        String id = JSON.readTree(r.body()).path("id").asText(null);
        assertNotNull(id, r.body());
        return id;
    }

    HttpResponse<String> send(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body of a GET, or what went wrong: for a condition polled until it holds, and for its failure message. */
    String get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** A transfer as GET /api/transfers/{id} shows it; a missing node where it cannot be read. */
    JsonNode transfer(String id) {
        try {
            return JSON.readTree(get("api/transfers/" + id));
        } catch (Exception e) {
            return JSON.missingNode();
        }
    }

    String state(String id) {
        return transfer(id).path("state").asText();
    }
}
