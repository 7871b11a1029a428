#!/usr/bin/env bash
# The ledger's write rate per node under the many-files scenario (issue 15), on PostgreSQL, with H2 beside it.
# Each node is a whole service (java -jar target/ferry.jar, this checkout's routes/ and config/) with its own upload
# inbox and its own remote folder on one proftpd; the PostgreSQL nodes share one ledger. Per round and configuration
# (H2 1 node, PostgreSQL 1 node, PostgreSQL 2 nodes, ... alternating), on fresh nodes and a fresh ledger:
#   idle    the started nodes left alone for BENCH_IDLE seconds: what they write with nothing to do
#   cold    BENCH_FILES x 100 KiB moved into every node's inbox at once, until every inbox is empty
#   warm    the same again with new names into the same nodes (the JVMs have run one batch)
# PostgreSQL's own statistics, on a database made for the run (so no other client's work is counted):
#   commits     pg_stat_database.xact_commit (every committed transaction, also read-only ones)
#   row writes  pg_stat_user_tables n_tup_ins + n_tup_upd + n_tup_del, per table
#   statements  statements per node and per kind (writes: INSERT/UPDATE/DELETE; reads: SELECT), from the server
#               log (log_statement = all, set on the bench database only; each node logs in as its own role, and
#               the log line names it)
# The idle rate is subtracted from nothing: it is printed so the busy figures can be read against it.
#
#   sudo bench/ledger-rate.sh                       # 3 rounds of h2:1 pg:1 pg:2, 1,000 files per node
#   BENCH_ROUNDS=1 BENCH_CONFIGS="pg:1 pg:3" sudo bench/ledger-rate.sh
#
# Needs root (proftpd logs in the local user ferrytest), PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and
# target/ferry.jar (built if missing). Makes a database ferry_bench_ledger_PID and roles ferry_bench_nN, drops both.
# The server log (BENCH_PG_LOG, Debian's default path) is only read; without it the statement rows are left out.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

CONFIGS=${BENCH_CONFIGS:-h2:1 pg:1 pg:2}
NFILES=${BENCH_FILES:-1000}
PHASES=${BENCH_PHASES:-cold warm}
IDLE=${BENCH_IDLE:-10}
PG_LOG=${BENCH_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
PORT=$((PORT_BASE + 60))
DB=ferry_bench_ledger_$$
PSQL="psql -h 127.0.0.1 -U postgres -qtAX"
MAXN=1
for c in $CONFIGS; do [ "${c#*:}" -le "$MAXN" ] || MAXN=${c#*:}; done
OUT=$WORK/ledger-rate
ROWS=$OUT/rows.jsonl

drop_db() {
  $PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
drop_all() {
  cleanup; drop_db
  local n
  for n in $(seq 1 "$MAXN"); do $PSQL -d postgres -c "DROP ROLE IF EXISTS ferry_bench_n$n" >/dev/null 2>&1 || true; done
}
trap drop_all EXIT

ensure_prereqs
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q package -DskipTests)
$PSQL -d postgres -c "SELECT 1" >/dev/null || die "PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres)"
[ -r "$PG_LOG" ] || { log "cannot read $PG_LOG: no statement counts"; PG_LOG=""; }
for n in $(seq 1 "$MAXN"); do
  # superuser: the roles only exist so the log names the node; every node creates and uses the same tables
  $PSQL -d postgres -c "DROP ROLE IF EXISTS ferry_bench_n$n" -c "CREATE ROLE ferry_bench_n$n LOGIN SUPERUSER" >/dev/null
done

rm -rf "$OUT"; mkdir -p "$OUT"
src=$OUT/src; dst=$OUT/ftp-root
mkdir -p "$src" "$dst"
for i in $(seq -w 1 "$NFILES"); do head -c $((100 * 1024)) /dev/urandom > "$src/f$i.bin"; done
touch -d '1 minute ago' "$src"/*
start_server proftpd "$PORT" "$dst"

clear_dir() { find "$1" -mindepth 1 -delete 2>/dev/null || true; }

# node N KIND NODES: a service with its own data dir and inbox, remote folder /nN; on pg the shared ledger
NODE_PIDS=()
node() {
  local n=$1 kind=$2 nodes=$3 dir=$OUT/node-$1 ledger=()
  # the last run's log too: wait_ready must not find its "Ferry is running." before this node has written a line
  rm -rf "$dir" "$dir.log"; mkdir -p "$dir"; cp -r "$SERVICE_ROOT/routes" "$SERVICE_ROOT/config" "$dir/"
  [ "$kind" = h2 ] || ledger=(-Dferry.ledger.url="jdbc:postgresql://127.0.0.1:5432/$DB" -Dferry.ledger.user="ferry_bench_n$n")
  # the many-files scenario's 4 connections for every node (the limit holds for the cluster on PostgreSQL)
  ( cd "$dir" && FERRY_SERVERS_BENCH_PASSWORD=$FTP_PW exec java ${BENCH_SERVICE_JVM_OPTS:-} \
      -Dferry.node-id="node-$n" -Dferry.data-dir="$dir/data" "${ledger[@]}" \
      -Dferry.servers.bench.host=127.0.0.1 -Dferry.servers.bench.port="$PORT" -Dferry.servers.bench.user="$FTP_USER" \
      -Dferry.servers.bench.remote-dir="/n$n" -Dferry.servers.bench.connection-limit=$((4 * nodes)) \
      -Dferry.default-server=bench -Dferry.http.port=$((PORT + 44 + n)) \
      -jar "$JAR" ) >"$dir.log" 2>&1 &
  BG_PIDS+=($!); NODE_PIDS+=($!)
}
wait_ready() {
  local n
  for n in $(seq 1 "$1"); do
    for _ in $(seq 1 900); do grep -q "Ferry is running." "$OUT/node-$n.log" 2>/dev/null && break; sleep 0.1; done
    grep -q "Ferry is running." "$OUT/node-$n.log" || die "node $n did not start (see $OUT/node-$n.log)"
  done
}
stop_nodes() {
  local p
  for p in "${NODE_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${NODE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; forget "$p"; done
  NODE_PIDS=()
}

# snap FILE: PostgreSQL's counters for the bench database, and the server log's length (stats reach the shared
# counters when a backend has been idle for up to a second: read 1.5 s after the last write)
snap() {
  {
    echo "t $(now)"
    echo "log $( [ -n "$PG_LOG" ] && stat -c %s "$PG_LOG" || echo 0)"
    $PSQL -d postgres -F' ' -c "SELECT 'db', xact_commit, xact_rollback FROM pg_stat_database WHERE datname = '$DB'"
    $PSQL -d "$DB" -F' ' -c "SELECT 'table', relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"
  } > "$1"
}

# measure ROUND CONFIG PHASE NODES FILES SECONDS A B: one JSON row from snapshots A and B (PostgreSQL) or none (H2)
measure() {
  python3 - "$ROWS" "$PG_LOG" "$@" <<'PY'
import json, re, sys
rows, pglog, rnd, cfg, phase, nodes, files, secs, a, b = sys.argv[1:]
nodes, files, secs = int(nodes), int(files), float(secs)
def read(p):
    s = {"tables": {}}
    if p == "-":
        return None
    for line in open(p):
        f = line.split()
        if not f: continue
        if f[0] in ("t", "log"): s[f[0]] = float(f[1])
        elif f[0] == "db": s["commits"], s["rollbacks"] = int(f[1]), int(f[2])
        elif f[0] == "table": s["tables"][f[1]] = (int(f[2]), int(f[3]), int(f[4]))
    return s
A, B = read(a), read(b)
row = {"round": int(rnd), "config": cfg, "phase": phase, "nodes": nodes, "files": files, "seconds": round(secs, 3)}
if A and B:
    win = B["t"] - A["t"]
    row["window_s"] = round(win, 3)
    row["commits"] = B["commits"] - A["commits"] - 1  # snapshot A's own query of pg_stat_user_tables
    tabs = {}
    for t, v in B["tables"].items():
        u = A["tables"].get(t, (0, 0, 0))
        d = [v[i] - u[i] for i in range(3)]
        if any(d): tabs[t] = d
    row["tables"] = tabs
    row["row_writes"] = sum(sum(d) for d in tabs.values())
    if pglog:
        stm, reads, per_node = {}, {}, {}
        control = 0
        with open(pglog, "rb") as f:
            f.seek(int(A["log"]))
            chunk = f.read(int(B["log"] - A["log"])).decode("utf-8", "replace")
        for m in re.finditer(r"ferry_bench_(n\d+)@\S+ LOG:  (?:statement|execute [^:]*): (.*)", chunk):
            sql = re.sub(r"\s+", " ", m.group(2)).strip()
            if re.match(r"(?i)(begin|commit|rollback|savepoint|release|set |show )", sql):
                control += 1
                continue
            if not re.match(r"(?i)(insert|update|delete|merge)", sql):
                kind = " ".join(re.sub(r"\$\d+|'[^']*'|\b\d+\b", "?", sql).split()[:8]) or "(empty: the pool's connection check)"
                reads[kind] = reads.get(kind, 0) + 1
                continue
            # the statement's kind: verb, table and the first assigned column or condition
            kind = re.sub(r"\$\d+|'[^']*'|\b\d+\b", "?", sql)
            kind = re.sub(r"\(.*", "(...)", kind) if kind.upper().startswith("INSERT") else " ".join(kind.split()[:6])
            stm[kind] = stm.get(kind, 0) + 1
            per_node[m.group(1)] = per_node.get(m.group(1), 0) + 1
        row["statements"] = sum(stm.values())
        row["statements_per_node"] = per_node
        row["statement_kinds"] = dict(sorted(stm.items(), key=lambda kv: -kv[1]))
        row["reads"] = sum(reads.values())
        row["read_kinds"] = dict(sorted(reads.items(), key=lambda kv: -kv[1]))
        row["transaction_control"] = control
with open(rows, "a") as f:
    f.write(json.dumps(row) + "\n")
print(json.dumps({k: v for k, v in row.items() if k not in ("tables", "statement_kinds", "read_kinds")}))
PY
}

# stage NODES PREFIX: hard links of the sources under new names, in each node's staging folder
stage() {
  local n f
  for n in $(seq 1 "$1"); do
    mkdir -p "$OUT/node-$n/data/inbox/.stage-$2" "$OUT/node-$n/data/inbox/upload"
    for f in "$src"/*; do ln "$f" "$OUT/node-$n/data/inbox/.stage-$2/$2-$(basename "$f")"; done
  done
}
inboxes_empty() {
  local n
  for n in $(seq 1 "$1"); do
    [ -z "$(ls -A "$OUT/node-$n/data/inbox/upload/.failed" 2>/dev/null)" ] || die "node $n: a drop failed"
    [ -z "$(find "$OUT/node-$n/data/inbox/upload" -maxdepth 1 -type f ! -name '.*' -print -quit)" ] || return 1
  done
}
run_batch() {  # run_batch ROUND CONFIG PHASE KIND NODES: timed from the first move to the last empty inbox
  local r=$1 cfg=$2 phase=$3 kind=$4 nodes=$5 n t0 t1 load a=- b=-
  stage "$nodes" "$phase"
  load=$(load1)
  if [ "$kind" = pg ]; then sleep 1.5; snap "$OUT/$r-$cfg-$phase.a"; a=$OUT/$r-$cfg-$phase.a; fi
  t0=$(now)
  local movers=()
  for n in $(seq 1 "$nodes"); do mv "$OUT/node-$n/data/inbox/.stage-$phase"/* "$OUT/node-$n/data/inbox/upload/" & movers+=($!); done
  wait "${movers[@]}"  # only these: a bare wait would wait for the servers and nodes too
  until inboxes_empty "$nodes"; do sleep 0.05; [ "$(echo "$(now) - $t0 < 900" | bc)" = 1 ] || die "$cfg $phase: not done in 900 s"; done
  t1=$(now)
  if [ "$kind" = pg ]; then sleep 1.5; snap "$OUT/$r-$cfg-$phase.b"; b=$OUT/$r-$cfg-$phase.b; fi
  for n in $(seq 1 "$nodes"); do
    local d; d=$(find "$OUT/node-$n/data/inbox/upload/.done" -maxdepth 1 -type f -name "$phase-*" | wc -l)
    [ "$d" = "$NFILES" ] || die "node $n: $d of $NFILES $phase files in .done/"
  done
  log "round $r $cfg $phase: $(echo "$t1 - $t0" | bc -l | cut -c1-6) s, load1 $load → $(load1)"
  measure "$r" "$cfg" "$phase" "$nodes" "$((nodes * NFILES))" "$(echo "$t1 - $t0" | bc -l)" "$a" "$b"
  python3 - "$ROWS" "$load" "$(load1)" <<'PY'
import json, sys
p, l0, l1 = sys.argv[1:]
rows = [json.loads(l) for l in open(p)]
rows[-1]["load1"] = f"{l0} → {l1}"
open(p, "w").write("".join(json.dumps(r) + "\n" for r in rows))
PY
}

for r in $(seq 1 "$ROUNDS"); do
  for cfg in $CONFIGS; do
    kind=${cfg%%:*}; nodes=${cfg#*:}
    clear_dir "$dst"; for n in $(seq 1 "$nodes"); do install -d -o "$FTP_USER" "$dst/n$n"; done
    if [ "$kind" = pg ]; then
      drop_db; $PSQL -d postgres -c "CREATE DATABASE $DB" >/dev/null
      [ -z "$PG_LOG" ] || $PSQL -d postgres -c "ALTER DATABASE $DB SET log_statement = 'all'" >/dev/null
    fi
    log "round $r: $cfg (load $(cut -d' ' -f1-3 /proc/loadavg))"
    # the first node makes the tables; the others start once it runs
    node 1 "$kind" "$nodes"; wait_ready 1
    for n in $(seq 2 "$nodes"); do node "$n" "$kind" "$nodes"; done
    wait_ready "$nodes"
    if [ "$kind" = pg ]; then
      sleep 1.5; snap "$OUT/$r-$cfg-idle.a"; sleep "$IDLE"; snap "$OUT/$r-$cfg-idle.b"
      measure "$r" "$cfg" idle "$nodes" 0 "$IDLE" "$OUT/$r-$cfg-idle.a" "$OUT/$r-$cfg-idle.b" >/dev/null
    fi
    for phase in $PHASES; do run_batch "$r" "$cfg" "$phase" "$kind" "$nodes"; done
    stop_nodes
    n=$(find "$dst" -mindepth 2 -maxdepth 2 -type f ! -name '.*' | wc -l)
    [ "$n" = $(($(wc -w <<< "$PHASES") * nodes * NFILES)) ] || die "$cfg: $n files on the server"
  done
done
stop_servers
python3 "$BENCH/ledger_rate_report.py" "$ROWS" | tee "$OUT/report.md"
