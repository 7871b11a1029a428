#!/usr/bin/env python3
"""Writes bench/RESULTS.md from bench/results/: <scenario>.jsonl (one line per measurement, written by run.sh),
<scenario>.meta.json (size, rate...), <scenario>.cmd (the command that produced it), <scenario>.notes.md
(analysis written by a person, kept across runs) and machine.md."""
import json
import os
import statistics
import sys

RES, OUT = sys.argv[1], sys.argv[2]
ORDER = ["startup", "throttled-download", "throttled-upload", "loopback", "small-files", "small-files-whole", "resume",
         "memory", "uneven", "adaptive", "tree-big", "tree-small"]
TITLES = {
    "startup": "JVM start-up (reported apart from transfer times)",
    "throttled-download": "1. Throttled download (vsftpd, 4 MiB/s per connection)",
    "throttled-upload": "2. Throttled upload (proftpd, TransferRate 4096 KiB/s, AllowStoreRestart on)",
    "loopback": "3. Unthrottled loopback, 1 GiB down (vsftpd) and up (proftpd)",
    "small-files": "4. Many small files (upload)",
    "small-files-whole": "4b. Many small files, whole process (the service started with the files in its inbox)",
    "resume": "5. Resume cost (kill -9 at half way, vsftpd 4 MiB/s per connection)",
    "memory": "6. Memory",
    "uneven": "7. Uneven connections (one of four data connections at 512 KiB/s, vsftpd 4 MiB/s)",
    "adaptive": "8. Connections that adapt (vsftpd 2 MiB/s per connection; the same with max_per_ip=2; a link of 8 MiB/s"
                " shared by all connections)",
    "tree-big": "11. A folder down and up: 1,000 × 100 KiB (get -r / put -r against lftp mirror, proftpd)",
    "tree-small": "12. A folder down and up: many × 10 KiB (get -r / put -r against lftp mirror, proftpd)",
}
MiB = 1024 * 1024


def load(sc):
    rows = []
    p = os.path.join(RES, sc + ".jsonl")
    if os.path.exists(p):
        rows = [json.loads(l) for l in open(p) if l.strip()]
    meta = {}
    p = os.path.join(RES, sc + ".meta.json")
    if os.path.exists(p):
        meta = json.load(open(p))
    return rows, meta


def read(name):
    p = os.path.join(RES, name)
    return open(p).read().strip() if os.path.exists(p) else ""


def group(rows):
    g = {}
    for r in rows:
        g.setdefault(r["tool"], []).append(r)
    return g


def med(rs, key="wall"):
    vals = [float(r[key]) for r in rs if key in r and r.get("rc", "0") == "0"]
    return statistics.median(vals) if vals else None


def fmt(x, d=2):
    return "–" if x is None else f"{x:.{d}f}"


def table(sc, rows, meta):
    g = group(rows)
    size = meta.get("bytes")
    files = None
    lines = []
    def ref_of(name):
        """Ferry's median for the same server/direction prefix ("vsftpd: ...", "down: ...")."""
        prefix = name.split(": ")[0] + ": " if ": " in name else ""
        cpu = name.endswith(" CPU")
        for n in g:
            if n.startswith(prefix + "ferry") and "in-process" not in n and "RSS" not in n and "bytes" not in n \
                    and n.endswith(" CPU") == cpu:
                return med(g[n])
        return None
    ref = any(ref_of(n) for n in g)
    hdr = "| measurement | runs | median | min | max |"
    sep = "|---|---|---|---|---|"
    unit = "s"
    if size:
        hdr += " MiB/s (median) |"
        sep += "---|"
    if sc.startswith(("small-files", "tree")):
        hdr += " files/s (median) |"
        sep += "---|"
    if ref and sc not in ("memory", "resume", "startup"):
        hdr += " time vs Ferry |"
        sep += "---|"
    hdr += " load1 at start (min–max) |"
    sep += "---|"
    lines += [hdr, sep]
    for name, rs in g.items():
        m = med(rs)
        vals = [float(r["wall"]) for r in rs if r.get("rc", "0") == "0"]
        failed = [r for r in rs if r.get("rc", "0") != "0"]
        is_count = "connections" in name or "lines" in name or "load1" in name
        is_bytes = "bytes" in name or is_count
        is_rss = "RSS" in name
        u = " MiB" if is_rss else ("" if is_count else (" B" if is_bytes else " s"))
        d = 1 if is_rss else (0 if is_bytes and not is_count else 2 if "load1" in name else 0 if is_bytes else 2)
        line = f"| {name} | {len(rs)}{' (' + str(len(failed)) + ' failed)' if failed else ''} | " \
               f"{fmt(m, d)}{u} | {fmt(min(vals) if vals else None, d)} | {fmt(max(vals) if vals else None, d)} |"
        if size:
            timing = not (is_bytes or is_rss or "disk" in name)
            line += f" {fmt(size / MiB / m, 1) if m and timing else ''} |"
        if sc.startswith(("small-files", "tree")):
            n = meta.get("files")
            line += f" {fmt(n / m, 1) if m and n and not is_rss and not name.endswith(' CPU') else ''} |"
        if ref and sc not in ("memory", "resume", "startup"):
            rf = ref_of(name)
            line += f" {fmt(m / rf, 2) + '×' if m and rf and not (is_bytes or is_rss or 'in-process' in name) else ''} |"
        loads = [float(r["load1"]) for r in rs if "load1" in r]
        line += f" {fmt(min(loads), 2) + '–' + fmt(max(loads), 2) if loads else ''} |"
        lines.append(line)
    return "\n".join(lines)


def commands(rows):
    seen = {}
    for r in rows:
        if "cmd" in r and r["tool"] not in seen:
            seen[r["tool"]] = r["cmd"].strip()
    return "\n".join(f"- {k}: `{v}`" for k, v in seen.items())


def per_run(rows):
    out = ["| round | measurement | value | rc | load1 before → after |", "|---|---|---|---|---|"]
    for r in rows:
        la = f"{r.get('load1', '')} → {r.get('load1_after', '')}" if "load1" in r else ""
        out.append(f"| {r['round']} | {r['tool']} | {fmt(float(r['wall']), 3)} | {r.get('rc', '')} | {la} |")
    return "\n".join(out)


def main():
    doc = ["# Ferry benchmark results", "",
           "Produced by `bench/run.sh` (see bench/README.md); each section says the exact command and when it ran. "
           "Times are wall-clock seconds of the whole process unless a row says *in-process* (Ferry: from the "
           "engine's `accepted` to its `done` log line, i.e. without JVM start-up and ledger opening; camel: from "
           "context started to the last file complete). Medians over the rounds; Ferry and the other clients ran "
           "alternately within each round. `load1` is the 1-minute load average (2 cores; other engineers' builds "
           "share the machine). Command lines show the bench's local FTP account (`ferrytest`, made by "
           "`.ci/install-servers.sh`) with its password masked as `****`.", "", "## Machine", "", read("machine.md"), ""]
    summary = read("summary.md")
    if summary:
        doc += ["## Summary", "", summary, ""]
    for sc in ORDER:
        rows, meta = load(sc)
        if not rows:
            continue
        doc += [f"## {TITLES[sc]}", ""]
        cmd = read(sc + ".cmd")
        if cmd:
            doc += [f"Produced by: `{cmd}`", ""]
        if meta:
            doc += ["Parameters: " + ", ".join(f"{k} = {v}" for k, v in meta.items()), ""]
        doc += [table(sc, rows, meta), ""]
        notes = read(sc + ".notes.md")
        if notes:
            doc += [notes, ""]
        doc += ["<details><summary>Every run</summary>", "", per_run(rows), "", "</details>", "",
                "<details><summary>Command lines</summary>", "", commands(rows), "", "</details>", ""]
    # Measured apart, each by its own script, and written by hand from its output: bench/drops.py (the whole service,
    # drops by rename), bench/takeover.sh (kill -9 of a node on PostgreSQL), bench/ledger-rate.sh (the ledger's writes
    # per node under many files).
    for extra in ("drops.md", "takeover.md", "ledger-rate.md"):
        text = read(extra)
        if text:
            doc += [text, ""]
    with open(OUT, "w") as f:
        f.write("\n".join(doc))


main()
