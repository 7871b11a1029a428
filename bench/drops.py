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

def wait(cond, seconds, what, proc=None):
    end = time.time() + seconds
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            sys.exit("the service ended while waiting for " + what)
        if cond():
            return
        time.sleep(0.005)
    sys.exit("timed out waiting for " + what)

def cpu_seconds(pid):
    """User + system CPU of a process so far (from /proc), which the machine's load does not inflate as it does wall time."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--root", required=True, help="checkout whose routes/ and config/ the service runs")
    ap.add_argument("--singles", type=int, default=10)
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--bursts", type=int, default=2, help="bursts one after the other (the later ones warm)")
    ap.add_argument("--size", type=int, default=100 * 1024)
    ap.add_argument("--jvm", default="", help="extra JVM options, e.g. -XX:StartFlightRecording=filename=x.jfr")
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
    svc = subprocess.Popen(["java"] + a.jvm.split() + ["-Dferry.data-dir=" + data, "-Dferry.demo.port=%d" % free_port(),
                            "-Dferry.http.port=%d" % free_port(), "-jar", os.path.abspath(a.jar)],
                           cwd=work, stdout=log, stderr=subprocess.STDOUT)
    try:
        logf = os.path.join(work, "service.log")
        wait(lambda: "ferry-upload-drops" in open(logf).read() and os.path.isdir(inbox), 120, "the service", svc)
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
        bursts = []
        cpus = []
        for _ in range(a.bursts):
            cpu0 = cpu_seconds(svc.pid)
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
            wait(lambda: all(os.path.exists(os.path.join(done, x)) for x in names), 300, "the burst")
            bursts.append((max(done_at(x) for x in names) - first) / 1e9)
            cpus.append(cpu_seconds(svc.pid) - cpu0)
            time.sleep(0.5)
        failed = os.path.join(inbox, ".failed")
        nfailed = len(os.listdir(failed)) if os.path.isdir(failed) else 0
        print("single drop, rename to .done/ (s): median %.3f  min %.3f  max %.3f  (n=%d)"
              % (statistics.median(singles), min(singles), max(singles), len(singles)))
        print("bursts of %d drops, first rename to last .done/ (s): %s   failed: %d"
              % (a.burst, "  ".join("%.3f" % b for b in bursts), nfailed))
        print("service CPU per burst (s): %s" % "  ".join("%.2f" % c for c in cpus))
        print("load average at the end: %s" % open("/proc/loadavg").read().split()[0])
    finally:
        svc.terminate()
        try:
            svc.wait(20)
        except subprocess.TimeoutExpired:
            svc.kill()
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)

main()
