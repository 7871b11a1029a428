#!/usr/bin/env python3
"""Paired CPU probe of the upload inbox (#16.4/#16.5): one service per variant (a jar, JVM options and a checkout's
routes/ and config/), all running at the same time against one proftpd (as bench/run.sh's small-files scenario
starts it), so they share the machine's load. Each gets the same steps: thousands of 100 KiB drops (hard links,
mtime a minute old), then bursts of 200; per step its wall time and the service's CPU seconds (utime+stime from
/proc, which a loaded machine inflates far less than wall time) and its CPU per thread kind (compiler, lanes, ...);
at the end the CPU of each thread kind over the run. Run as
root (proftpd), e.g.

  python3 bench/drops_pair.py --variant "before=/tmp/main.jar||/path/to/main" --variant "after=target/ferry.jar||."
"""
import os, sys, time, subprocess, shutil, json, argparse
ap = argparse.ArgumentParser()
ap.add_argument("--variant", action="append", required=True, help="NAME=JAR|JVM OPTIONS|CHECKOUT")
ap.add_argument("--thousands", type=int, default=3)
ap.add_argument("--bursts", type=int, default=3)
ap.add_argument("--port", type=int, default=24300)
ap.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "work", "drops-pair"))
ap.add_argument("--seq", action="store_true", help="run variants one after another per step (alternating)")
a = ap.parse_args()
HZ = os.sysconf("SC_CLK_TCK")
def cpu(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ
W = a.work
shutil.rmtree(W, ignore_errors=True); os.makedirs(W)
src = os.path.join(W, "src"); os.makedirs(src)
for i in range(1000):
    with open(os.path.join(src, "f%04d.bin" % i), "wb") as f: f.write(os.urandom(100 * 1024))
old = time.time() - 60
for n in os.listdir(src): os.utime(os.path.join(src, n), (old, old))
dst = os.path.join(W, "root"); os.makedirs(dst); os.chmod(W, 0o755)
srv = subprocess.Popen([os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".ci", "ftp-server.sh"), "proftpd", str(a.port), str(a.port+1), str(a.port+40), dst, os.path.join(W, "srv")],
                       stdout=open(os.path.join(W, "srv.log"), "w"), stderr=subprocess.STDOUT)
time.sleep(2)
vs = []
for k, spec in enumerate(a.variant):
    name, rest = spec.split("=", 1)
    jar, jvm, root = rest.split("|")
    d = os.path.join(W, name); os.makedirs(d)
    for x in ("routes", "config"): shutil.copytree(os.path.join(os.path.abspath(root), x), os.path.join(d, x))
    subprocess.run(["install", "-d", "-o", "ferrytest", os.path.join(dst, name)], check=True)
    env = dict(os.environ, FERRY_SERVERS_BENCH_PASSWORD="ferrytest-pw")
    cmd = ["java"] + jvm.split() + ["-Dferry.data-dir=" + d + "/data", "-Dferry.servers.bench.host=127.0.0.1",
           "-Dferry.servers.bench.port=%d" % a.port, "-Dferry.servers.bench.user=ferrytest",
           "-Dferry.servers.bench.remote-dir=/" + name, "-Dferry.servers.bench.connection-limit=4",
           "-Dferry.default-server=bench", "-Dferry.http.port=%d" % (a.port + 89 + k), "-jar", os.path.abspath(jar)]
    p = subprocess.Popen(cmd, cwd=d, env=env, stdout=open(d + "/service.log", "w"), stderr=subprocess.STDOUT)
    vs.append(dict(name=name, p=p, d=d, inbox=d + "/data/inbox/upload", total=0, rows=[]))
for v in vs:
    end = time.time() + 120
    while time.time() < end:
        if "ferry-upload-drops" in open(v["d"] + "/service.log").read() and os.path.isdir(v["inbox"]): break
        if v["p"].poll() is not None: sys.exit("died " + v["name"])
        time.sleep(0.1)
    v["cpu0"] = cpu(v["p"].pid)
print("startup cpu", {v["name"]: v["cpu0"] for v in vs}, flush=True)
def stage(v, tag, n):
    s = os.path.join(v["d"], "data/inbox/.st-" + tag); os.makedirs(s)
    names = sorted(os.listdir(src))[:n]
    for x in names: os.link(os.path.join(src, x), os.path.join(s, tag + "-" + x))
    return s
def threads(pid):
    tt = {}
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            c = open("/proc/%d/task/%s/comm" % (pid, t)).read().strip()
            f = open("/proc/%d/task/%s/stat" % (pid, t)).read().rsplit(")", 1)[1].split()
            k = c.rstrip("0123456789-#")
            tt[k] = tt.get(k, 0) + (int(f[11]) + int(f[12])) / HZ
        except Exception: pass
    return tt
def ndone(v):
    try: return sum(1 for e in os.scandir(v["inbox"] + "/.done"))
    except FileNotFoundError: return 0
def drop(group, tag, n):
    st = {v["name"]: stage(v, tag, n) for v in group}
    for v in group:
        v["c0"] = cpu(v["p"].pid); v["t0"] = time.time(); v["th0"] = threads(v["p"].pid)
        s = st[v["name"]]
        for x in os.listdir(s): os.rename(os.path.join(s, x), os.path.join(v["inbox"], x))
        v["total"] += n
    pend = list(group); end = time.time() + 900
    while pend and time.time() < end:
        for v in list(pend):
            if ndone(v) >= v["total"]:
                v["rows"].append((tag, n, round(time.time() - v["t0"], 2), round(cpu(v["p"].pid) - v["c0"], 2)))
                print(v["name"], v["rows"][-1], "load", open("/proc/loadavg").read().split()[0], flush=True)
                th1 = threads(v["p"].pid)
                print("   ", v["name"], tag, sorted(((round(th1[k] - v["th0"].get(k, 0), 2), k) for k in th1 if th1[k] - v["th0"].get(k, 0) > 0.05), reverse=True), flush=True)
                pend.remove(v)
        time.sleep(0.02)
    if pend: sys.exit("timeout")
steps = [("k%d" % i, 1000) for i in range(1, a.thousands + 1)] + [("b%d" % i, 200) for i in range(1, a.bursts + 1)]
for tag, n in steps:
    if a.seq:
        for v in vs: drop([v], tag, n)
    else:
        drop(vs, tag, n)
for v in vs:
    cpu_end = cpu(v["p"].pid)
    print(json.dumps({"name": v["name"], "rows": v["rows"]}))
    # per thread CPU
    tt = {}
    for t in os.listdir("/proc/%d/task" % v["p"].pid):
        try:
            c = open("/proc/%d/task/%s/comm" % (v["p"].pid, t)).read().strip()
            f = open("/proc/%d/task/%s/stat" % (v["p"].pid, t)).read().rsplit(")", 1)[1].split()
            key = c.rstrip("0123456789-#")
            tt[key] = tt.get(key, 0) + (int(f[11]) + int(f[12])) / HZ
        except Exception: pass
    print(v["name"], "threads", sorted(((round(c, 1), k) for k, c in tt.items() if c > 0.3), reverse=True))
    v["p"].terminate()
for v in vs: v["p"].wait()
srv.terminate(); srv.wait()
