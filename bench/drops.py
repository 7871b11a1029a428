#!/usr/bin/env python3
"""Drop latency of the whole service: 100 KiB files renamed into the upload inbox, one at a time and as a burst.

Starts the service from a jar with a copy of a checkout's routes/ and config/ (its demo FTP server, no server
configured), in its own folder under bench/work. A drop is written into a staging folder on the same file system and
renamed into the inbox; its time is the inbox entry's ctime (set by the rename), its end the ctime of its entry in
.done/ (set by the service's rename). Both come from the file system, not from this script's clock.

  python3 bench/drops.py --jar target/ferry.jar --root .            # this checkout
  python3 bench/drops.py --jar /path/to/main/target/ferry.jar --root /path/to/main   # another build, for before/after
"""
import argparse, os, shutil, socket, statistics, subprocess, sys, time

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def wait(cond, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return
        time.sleep(0.005)
    sys.exit("timed out waiting for " + what)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--root", required=True, help="checkout whose routes/ and config/ the service runs")
    ap.add_argument("--singles", type=int, default=10)
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--size", type=int, default=100 * 1024)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    work = os.path.join(here, "work", "drops-%d" % os.getpid())
    os.makedirs(work)
    for d in ("routes", "config"):
        shutil.copytree(os.path.join(a.root, d), os.path.join(work, d))
    data = os.path.join(work, "data")
    inbox = os.path.join(data, "inbox", "upload")
    done = os.path.join(inbox, ".done")
    stage = os.path.join(data, "inbox", ".stage")
    os.makedirs(stage)
    log = open(os.path.join(work, "service.log"), "w")
    svc = subprocess.Popen(["java", "-Dferry.data-dir=" + data, "-Dferry.demo.port=%d" % free_port(),
                            "-Dferry.http.port=%d" % free_port(), "-jar", os.path.abspath(a.jar)],
                           cwd=work, stdout=log, stderr=subprocess.STDOUT)
    try:
        logf = os.path.join(work, "service.log")
        wait(lambda: "ferry-upload-drops" in open(logf).read() and os.path.isdir(inbox), 120, "the service")
        payload = os.urandom(a.size)
        n = [0]

        def drop():
            n[0] += 1
            name = "d%05d.bin" % n[0]
            with open(os.path.join(stage, name), "wb") as f:
                f.write(payload)
            os.rename(os.path.join(stage, name), os.path.join(inbox, name))
            try:
                at = os.stat(os.path.join(inbox, name)).st_ctime_ns
            except FileNotFoundError:
                at = None
            return name, at

        def done_at(name):
            return os.stat(os.path.join(done, name)).st_ctime_ns

        # warm-up: the first drops load classes and log in
        for _ in range(5):
            name, _ = drop()
            wait(lambda: os.path.exists(os.path.join(done, name)), 60, name)
        singles = []
        for _ in range(a.singles):
            name, at = drop()
            wait(lambda: os.path.exists(os.path.join(done, name)), 60, name)
            singles.append((done_at(name) - at) / 1e9)
            time.sleep(0.3)  # a gap, so each drop meets an idle service
        names = []
        for i in range(a.burst):
            n[0] += 1
            name = "d%05d.bin" % n[0]
            with open(os.path.join(stage, name), "wb") as f:
                f.write(payload)
            names.append(name)
        first = None
        for name in names:
            os.rename(os.path.join(stage, name), os.path.join(inbox, name))
            if first is None:
                first = os.stat(os.path.join(inbox, name)).st_ctime_ns
        wait(lambda: all(os.path.exists(os.path.join(done, x)) for x in names[-5:]) and
             len(os.listdir(done)) >= n[0], 120, "the burst")
        burst = (max(done_at(x) for x in names) - first) / 1e9
        failed = os.path.join(inbox, ".failed")
        nfailed = len(os.listdir(failed)) if os.path.isdir(failed) else 0
        print("single drop, rename to .done/ (s): median %.3f  min %.3f  max %.3f  (n=%d)"
              % (statistics.median(singles), min(singles), max(singles), len(singles)))
        print("burst of %d drops, first rename to last .done/ (s): %.3f   failed: %d" % (a.burst, burst, nfailed))
    finally:
        svc.terminate()
        try:
            svc.wait(20)
        except subprocess.TimeoutExpired:
            svc.kill()
        shutil.rmtree(work, ignore_errors=True)

main()
