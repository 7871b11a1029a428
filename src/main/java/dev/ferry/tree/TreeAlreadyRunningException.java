package dev.ferry.tree;

import java.io.IOException;

/** A tree was asked to run while a run of it is under way in this process: the second run is not started. */
public final class TreeAlreadyRunningException extends IOException {
    private static final long serialVersionUID = 1L;

    TreeAlreadyRunningException(String message) {
        super(message);
    }
}
