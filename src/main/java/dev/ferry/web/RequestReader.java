package dev.ferry.web;

import dev.ferry.plan.TransferRequest;

/**
 * Turns the body of {@code POST /api/transfers} into a request. The service plugs in its own request-file parser
 * (default server, paths relative to the download folder); {@link StrictRequestReader} is the stand-alone one.
 * Throws {@link IllegalArgumentException} with a message a person can act on when the input is wrong.
 */
@FunctionalInterface
public interface RequestReader {
    TransferRequest read(String json);
}
