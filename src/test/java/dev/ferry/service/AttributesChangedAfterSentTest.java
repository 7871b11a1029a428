package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.HashCommand;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drop whose attributes alone change while or after it is sent ({@code chmod}, an extended attribute an antivirus
 * sets) moves its change time as a rewrite that put its size and time back does. Ferry sent such a file again each
 * time, and after two more such changes filed an identical drop in {@code .failed/}; a large upload started over from
 * byte 0. Only the bytes tell the two apart: the server's copy is compared with the file by hash, and sent again only
 * when they differ.
 */
class AttributesChangedAfterSentTest {
    private static final int MIB = 1 << 20;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static HashCommand hash = new HashCommand();
    static ServiceHarness harness;
    static FerryService service;
    /** Final names whose publish a test wants to act on, and what it does then. */
    static final Map<String, Runnable> onPublished = new ConcurrentHashMap<>();
    static final Map<String, Runnable> onCheckpoint = new ConcurrentHashMap<>();
    static final List<String> restarted = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ftp = FtpServerFixture.builder().ratePerConnection(2 * MIB).ftplet("hash", hash).start();
        harness = new ServiceHarness(tmp.resolve("svc"), ftp);
        service = harness.start();
        service.engine().addListener(new TransferListener() {
            @Override
            public void published(TransferView t, String finalName) {
                Runnable r = onPublished.remove(finalName.substring(finalName.lastIndexOf('/') + 1));
                if (r != null) {
                    r.run();
                }
            }

            @Override
            public void checkpoint(TransferView t, int segment, long offset) {
                Runnable r = onCheckpoint.remove(Path.of(t.localPath()).getFileName().toString());
                if (r != null) {
                    r.run();
                }
            }

            @Override
            public void restarted(TransferView t, String why) {
                restarted.add(t.localPath() + ": " + why);
            }
        });
        Files.createDirectories(harness.uploadInbox());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (ftp != null) {
            ftp.close();
        }
    }

    @Test
    void aDropChmoddedAfterItsPublishIsFiledDoneWithoutBeingSentAgain() throws Exception {
        String name = "chmod-after.bin";
        Path staged = PseudoRandomContent.write(tmp.resolve("staging").resolve(name), 3 * MIB, 61);
        Object[] serverKey = new Object[1];
        onPublished.put(name, () -> {
            // The server's copy as published, then the drop's permissions change before it is put away.
            serverKey[0] = key(ftp.file("incoming/" + name));
            chmod(harness.uploadInbox().resolve(name));
        });
        Path drop = ServiceHarness.dropInto(harness.uploadInbox(), staged);
        Path done = harness.uploadInbox().resolve(".done").resolve(name);
        Await.until(WAIT, () -> Files.exists(done) && !Files.exists(drop), () -> "inbox: " + list(harness.uploadInbox()));
        assertTrue(serverKey[0] != null, "the drop's permissions were changed after its publish");
        assertEquals(Hashes.sha256(done), Hashes.sha256(ftp.file("incoming/" + name)), name + " on the server");
        assertEquals(serverKey[0], key(ftp.file("incoming/" + name)),
                "the server's copy was replaced: the drop was sent again for a change of its permissions");
    }

    @Test
    void aDropRewrittenAfterItsPublishWithItsSizeAndTimeKeptIsStillSentAgain() throws Exception {
        // The other side of the comparison: the same change time moving, but the bytes differ.
        String name = "rewritten-after.bin";
        Path staged = PseudoRandomContent.write(tmp.resolve("staging").resolve(name), 3 * MIB, 62);
        Files.setLastModifiedTime(staged, LONG_AGO);
        AtomicBoolean rewritten = new AtomicBoolean();
        onPublished.put(name, () -> {
            rewriteInPlace(harness.uploadInbox().resolve(name), 3 * MIB, 63);
            rewritten.set(true);
        });
        Path drop = ServiceHarness.dropInto(harness.uploadInbox(), staged);
        Path done = harness.uploadInbox().resolve(".done").resolve(name);
        Await.until(WAIT, () -> Files.exists(done) && !Files.exists(drop), () -> "inbox: " + list(harness.uploadInbox()));
        assertTrue(rewritten.get(), "the drop was rewritten after its publish");
        String filed = Hashes.sha256(done);
        assertEquals(Hashes.sha256(PseudoRandomContent.write(tmp.resolve("expected-" + name), 3 * MIB, 63)), filed);
        assertEquals(filed, Hashes.sha256(ftp.file("incoming/" + name)), "the server kept the version sent first");
    }

    @Test
    void aLargeUploadWhoseDropIsChmoddedMidwayIsPublishedWithoutStartingOver() throws Exception {
        String name = "chmod-midway.bin";
        Path staged = PseudoRandomContent.write(tmp.resolve("staging").resolve(name), 16 * MIB, 64);
        AtomicBoolean changed = new AtomicBoolean();
        onCheckpoint.put(name, () -> {
            chmod(harness.uploadInbox().resolve(name));
            changed.set(true);
        });
        Path drop = ServiceHarness.dropInto(harness.uploadInbox(), staged);
        Path done = harness.uploadInbox().resolve(".done").resolve(name);
        Await.until(WAIT, () -> Files.exists(done) && !Files.exists(drop), () -> "inbox: " + list(harness.uploadInbox()));
        assertTrue(changed.get(), "the drop's permissions were changed while it was sent");
        assertEquals(Hashes.sha256(done), Hashes.sha256(ftp.file("incoming/" + name)), name + " on the server");
        assertEquals(List.of(), restarted.stream().filter(r -> r.contains(name)).toList(),
                "the upload started over for a change of its permissions");
    }

    @Test
    void aFolderWhoseSentFilesAreChmoddedIsFiledDoneWithoutSendingThemAgain() throws Exception {
        Path stage = Files.createDirectories(tmp.resolve("stage/F"));
        PseudoRandomContent.write(stage.resolve("big.bin"), 12 * MIB, 71);
        PseudoRandomContent.write(stage.resolve("small.bin"), 5_000, 72);
        PseudoRandomContent.write(stage.resolve("mid.bin"), 1_500_000, 73);
        Path dropped = harness.uploadInbox().resolve("F");
        Files.move(stage, dropped);
        Path serverSmall = ftp.file("incoming/F/small.bin");
        Path serverMid = ftp.file("incoming/F/mid.bin");
        Await.until(WAIT, () -> Files.exists(serverSmall) && Files.exists(serverMid)
                && !Files.exists(ftp.file("incoming/F/big.bin")), () -> "the small files were not sent first");
        Object smallKey = key(serverSmall);
        Object midKey = key(serverMid);
        chmod(dropped.resolve("small.bin"));
        chmod(dropped.resolve("mid.bin"));

        Path done = harness.uploadInbox().resolve(".done/F");
        Await.until(WAIT, () -> Files.isDirectory(done), () -> "the folder was not filed: "
                + list(harness.uploadInbox()));
        for (String name : new String[] {"big.bin", "small.bin", "mid.bin"}) {
            assertEquals(Hashes.sha256(done.resolve(name)), Hashes.sha256(ftp.file("incoming/F/" + name)), name);
        }
        assertEquals(smallKey, key(serverSmall), "small.bin was sent again for a change of its permissions");
        assertEquals(midKey, key(serverMid), "mid.bin was sent again for a change of its permissions");
        assertNotEquals(0, hash.answered(), "the server's copies were compared by hash");
    }

    @Test
    void aDropKeptOutByFileExistIgnoreThatChangesIsNotSentOverTheServersFile() throws Exception {
        try (FtpServerFixture own = FtpServerFixture.builder().start()) {
            ServiceHarness ignoring = new ServiceHarness(tmp.resolve("ignoring"), own);
            ignoring.properties.put("ferry.file-exist", "Ignore");
            String name = "kept.bin";
            Path theirs = own.write("incoming/" + name, 4_000, 81);
            String theirSha = Hashes.sha256(theirs);
            try (FerryService ignoringService = ignoring.start()) {
                AtomicBoolean changed = new AtomicBoolean();
                ignoringService.engine().addListener(new TransferListener() {
                    @Override
                    public void published(TransferView t, String finalName) {
                        // Kept out, then written to again before the drop is put away.
                        if (finalName.endsWith("/" + name) && changed.compareAndSet(false, true)) {
                            try {
                                Files.write(ignoring.uploadInbox().resolve(name), new byte[1000],
                                        StandardOpenOption.APPEND);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    }
                });
                Path staged = PseudoRandomContent.write(tmp.resolve("staging-ignoring").resolve(name), 4_000, 82);
                Files.setLastModifiedTime(staged, LONG_AGO);
                Path drop = ServiceHarness.dropInto(ignoring.uploadInbox(), staged);
                Path done = ignoring.uploadInbox().resolve(".done").resolve(name);
                Await.until(WAIT, () -> Files.exists(done) && !Files.exists(drop),
                        () -> "inbox: " + list(ignoring.uploadInbox()));
                assertTrue(changed.get(), "the kept drop changed before it was put away");
                assertEquals(theirSha, Hashes.sha256(own.file("incoming/" + name)),
                        "the server's file, which fileExist Ignore keeps, was replaced");
            }
        }
    }

    /** The file's identity (device and inode): a copy sent again is renamed over it, a new file. */
    private static Object key(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chmod(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Other bytes over the file's own, its size kept and its modification time put back. */
    private static void rewriteInPlace(Path file, int size, long seed) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileTime before = Files.getLastModifiedTime(file);
            ByteBuffer b = ByteBuffer.wrap(PseudoRandomContent.bytes(seed, 0, size));
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            Files.setLastModifiedTime(file, before);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
