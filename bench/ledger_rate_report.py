#!/usr/bin/env python3
"""Tables for bench/ledger-rate.sh from its rows (one JSON line per round, configuration and phase): medians over the
rounds of files/s, and per node the ledger's commits, row writes and write statements per second and per file."""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def f(x, d=1):
    return "–" if x is None else f"{x:,.{d}f}"


configs = list(dict.fromkeys(r["config"] for r in rows))
out = ["| ledger, nodes | phase | runs | wall (median) | files/s (all nodes) | commits/s per node | commits per file"
       " | row writes/s per node | row writes per file | write statements/s per node | write statements per file"
       " | load1 (before → after) |",
       "|---|---|---|---|---|---|---|---|---|---|---|---|"]
for cfg in configs:
    for phase in ("idle", "cold", "warm"):
        rs = [r for r in rows if r["config"] == cfg and r["phase"] == phase]
        if not rs:
            continue
        n = rs[0]["nodes"]
        files = rs[0]["files"]
        pg = "commits" in rs[0]
        win = lambda r: r.get("window_s", r["seconds"])
        per_s = lambda key: med([r[key] / win(r) / n for r in rs if key in r]) if pg else None
        per_file = lambda key: med([r[key] / r["files"] for r in rs if key in r]) if pg and files else None
        out.append(f"| {cfg.replace('pg', 'PostgreSQL').replace('h2', 'H2').replace(':', ', ')} | {phase} | {len(rs)} | "
                   f"{f(med([r['seconds'] for r in rs]), 2)} s | "
                   f"{f(med([r['files'] / r['seconds'] for r in rs])) if files else ''} | "
                   f"{f(per_s('commits'))} | {f(per_file('commits'), 2)} | {f(per_s('row_writes'))} | "
                   f"{f(per_file('row_writes'), 2)} | {f(per_s('statements'))} | {f(per_file('statements'), 2)} | "
                   f"{', '.join(r.get('load1', '') for r in rs)} |")
print("\n".join(out))

# what the writes are: statements per file (busy phases) or per node and second (idle), summed over the rounds
print()
print("Write statements by kind (from the server log; per file in the busy phases, per node and minute when idle):")
print()
for cfg in configs:
    if not cfg.startswith("pg"):
        continue
    for phase in ("idle", "cold", "warm"):
        rs = [r for r in rows if r["config"] == cfg and r["phase"] == phase and "statement_kinds" in r]
        if not rs:
            continue
        kinds = {}
        for r in rs:
            for k, v in r["statement_kinds"].items():
                kinds[k] = kinds.get(k, 0) + v
        if phase == "idle":
            denom, unit = sum(r["window_s"] for r in rs) * rs[0]["nodes"] / 60, "per node-minute"
        else:
            denom, unit = sum(r["files"] for r in rs), "per file"
        print(f"- {cfg} {phase} ({unit}): " + "; ".join(f"`{k}` {v / denom:.2f}" for k, v in kinds.items()
                                                       if v / denom >= 0.005) or "none")
        tabs = {}
        for r in rs:
            for t, d in r.get("tables", {}).items():
                tabs.setdefault(t, [0, 0, 0])
                for i in range(3):
                    tabs[t][i] += d[i]
        print(f"  rows (ins/upd/del {unit}): " + "; ".join(
            f"{t} {a / denom:.2f}/{b / denom:.2f}/{c / denom:.2f}" for t, (a, b, c) in sorted(tabs.items())))
        reads = {}
        for r in rs:
            for k, v in r.get("read_kinds", {}).items():
                reads[k] = reads.get(k, 0) + v
        print(f"  reads ({unit}): " + "; ".join(f"`{k}` {v / denom:.2f}" for k, v in
                                               sorted(reads.items(), key=lambda kv: -kv[1]) if v / denom >= 0.005))
        print(f"  BEGIN/COMMIT/ROLLBACK/SET statements ({unit}): "
              f"{sum(r.get('transaction_control', 0) for r in rs) / denom:.2f}")
        nodes = {}
        for r in rs:
            for k, v in r.get("statements_per_node", {}).items():
                nodes[k] = nodes.get(k, 0) + v
        if len(nodes) > 1:
            print(f"  statements per node (all rounds): " + ", ".join(f"{k} {v}" for k, v in sorted(nodes.items())))
