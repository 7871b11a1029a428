package dev.ferry.tree;

import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.Direction;
import dev.ferry.progress.TreeView;

/** A tree whose order was given up before any run: its ledger row, for its one {@code treeFinished} event. */
record GivenUpTree(TreeListings.TreeRecord row) implements TreeView {
    @Override
    public String id() {
        return row.id();
    }

    @Override
    public Direction direction() {
        return row.direction();
    }

    @Override
    public String server() {
        return row.server();
    }

    @Override
    public String remoteRoot() {
        return row.remoteRoot();
    }

    @Override
    public String localRoot() {
        return row.localRoot();
    }

    @Override
    public String status() {
        return row.status();
    }

    @Override
    public boolean resumedListing() {
        return false;
    }

    @Override
    public int files() {
        return row.files();
    }

    @Override
    public int transferred() {
        return row.transferred();
    }

    @Override
    public int skipped() {
        return row.skipped();
    }

    @Override
    public int failed() {
        return row.failed();
    }

    @Override
    public int refused() {
        return row.refused();
    }

    @Override
    public long bytesDone() {
        return row.bytesMoved();
    }

    @Override
    public long bytesTotal() {
        return -1;
    }

    @Override
    public long etaSeconds() {
        return -1;
    }

    @Override
    public long bytesMoved() {
        return row.bytesMoved();
    }
}
