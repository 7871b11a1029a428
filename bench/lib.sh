# shellcheck shell=bash
# Helpers for bench/run.sh: prerequisites, servers on 127.0.0.1, timed runs recorded as JSON lines.
# Sourced by run.sh; everything it starts is registered in BG_PIDS and stopped by cleanup (trap on EXIT).

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
RESULTS=${BENCH_RESULTS:-$BENCH/results}
JAR=${BENCH_JAR:-$ROOT/target/ferry.jar}
# routes/ and config/ of the service (default: this checkout)
SERVICE_ROOT=${BENCH_SERVICE_ROOT:-$ROOT}
FTP_USER=ferrytest
FTP_PW=ferrytest-pw
export BENCH_FTP_PW=$FTP_PW  # for the Python snippets, off their command lines
# below the kernel's ephemeral range (32768-60999 here): a client socket there would make the servers' bind fail
PORT_BASE=${BENCH_PORT_BASE:-24100}
ROUNDS=${BENCH_ROUNDS:-3}
MiB=$((1024 * 1024))
BG_PIDS=()

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${BG_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BG_PIDS[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  BG_PIDS=()
}

# forget PID: a finished child leaves BG_PIDS (its number may be reused by another process later)
forget() {
  local keep=() p
  for p in "${BG_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  BG_PIDS=("${keep[@]}")
}

# --- prerequisites -----------------------------------------------------------------------------------------------
ensure_prereqs() {
  [ "$(id -u)" -eq 0 ] || die "run as root (the FTP servers need it; see bench/README.md)"
  local missing=() pair
  for pair in lftp:lftp aria2c:aria2 curl:curl /usr/bin/time:time python3:python3 java:openjdk-17-jdk-headless \
              ss:iproute2 bc:bc; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install -y ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -x /usr/sbin/vsftpd ] || [ ! -x /opt/ferry-ftp/proftpd/usr/sbin/proftpd ] || ! id "$FTP_USER" >/dev/null 2>&1; then
    log "installing the FTP servers (.ci/install-servers.sh)"
    "$ROOT/.ci/install-servers.sh"
  fi
  if [ ! -f "$JAR" ]; then
    command -v mvn >/dev/null || { apt-get install -y -q maven >/dev/null; }
    log "building $JAR"
    (cd "$ROOT" && { mvn -B -o -q package -DskipTests -Dbuild.dir="$ROOT/target" \
                     || mvn -B -q package -DskipTests -Dbuild.dir="$ROOT/target"; })
  fi
  mkdir -p "$WORK" "$RESULTS"
  chmod 755 "$WORK"
}

# --- servers ---------------------------------------------------------------------------------------------------
port_free() { [ -z "$(ss -ltnH "sport = :$1")" ]; }

# start_server NAME PORT ROOT_DIR [RATE_BYTES_PER_S] [EXTRA]: passive ports PORT+1..PORT+40; logs in $WORK/srv-PORT
start_server() {
  local name=$1 port=$2 root=$3 rate=${4:-} extra=${5:-} p
  for p in $(seq "$port" $((port + 40))); do port_free "$p" || die "port $p is taken (set BENCH_PORT_BASE)"; done
  local sdir=$WORK/srv-$port
  rm -rf "$sdir"; mkdir -p "$sdir"
  FERRY_FTP_RATE=$rate FERRY_FTP_EXTRA=$extra \
    "$ROOT/.ci/ftp-server.sh" "$name" "$port" $((port + 1)) $((port + 40)) "$root" "$sdir" >"$sdir/stdout.log" 2>&1 &
  BG_PIDS+=($!)
  for _ in $(seq 1 100); do
    if ! port_free "$port"; then
      # wait for the banner (vsftpd answers only once it can fork a session)
      if timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; head -c 3 <&3" 2>/dev/null | grep -q 220; then
        log "$name on 127.0.0.1:$port (rate ${rate:-none}) root $root"
        return 0
      fi
    fi
    sleep 0.1
  done
  cat "$sdir"/*.log >&2 || true
  die "$name did not start on $port"
}

stop_servers() { cleanup; }

# --- data ------------------------------------------------------------------------------------------------------
# make_file PATH BYTES: pseudo-random content (incompressible), readable by the ftp user
make_file() {
  local path=$1 bytes=$2
  mkdir -p "$(dirname "$path")"
  if [ ! -f "$path" ] || [ "$(stat -c %s "$path")" != "$bytes" ]; then
    # head closes the pipe early: openssl's SIGPIPE is expected (the size check below is what counts)
    { openssl enc -aes-128-ctr -nosalt -pass pass:ferry-bench -pbkdf2 -in /dev/zero 2>/dev/null || true; } \
      | head -c "$bytes" > "$path"
    [ "$(stat -c %s "$path")" = "$bytes" ] || die "could not write $path"
  fi
  chown "$FTP_USER" "$path"
}

ftp_url() { printf 'ftp://%s:%s@127.0.0.1:%s/%s' "$FTP_USER" "$FTP_PW" "$1" "$2"; }

# --- timed runs ------------------------------------------------------------------------------------------------
now() { date +%s.%N; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# record SCENARIO ROUND TOOL KEY=VALUE... : one JSON line in $RESULTS/SCENARIO.jsonl
record() {
  local scen=$1 round=$2 tool=$3; shift 3
  python3 - "$RESULTS/$scen.jsonl" "$scen" "$round" "$tool" "$@" <<'PY'
import json, sys
path, scen, rnd, tool, *kv = sys.argv[1:]
row = {"scenario": scen, "round": int(rnd), "tool": tool}
for item in kv:
    k, v = item.split("=", 1)
    try:
        row[k] = float(v) if k not in ("cmd", "note", "rc") else v
    except ValueError:
        row[k] = v
with open(path, "a") as f:
    f.write(json.dumps(row) + "\n")
PY
}

# timed SCEN ROUND TOOL TIMEOUT_S LOGFILE -- CMD...: runs CMD bounded by timeout, records wall time, rc, load.
# Sets LAST_WALL and LAST_RC. Extra key=values for the record can be put in EXTRA_KV (array) beforehand.
timed() {
  local scen=$1 round=$2 tool=$3 limit=$4 logf=$5; shift 6
  local before t0 t1 rc=0
  before=$(load1)
  log "$scen round $round: $tool"
  t0=$(now)
  # in the background and waited for, so a signal to this script runs its trap at once (cleanup stops it)
  timeout --kill-after=5 "$limit" "$@" >"$logf" 2>&1 &
  local cpid=$!
  BG_PIDS+=("$cpid")
  wait "$cpid" || rc=$?
  forget "$cpid"
  t1=$(now)
  LAST_WALL=$(echo "$t1 - $t0" | bc -l)
  LAST_RC=$rc
  LAST_T0=$t0
  record "$scen" "$round" "$tool" wall="$LAST_WALL" rc="$rc" load1="$before" load1_after="$(load1)" \
    "${EXTRA_KV[@]}" cmd="$(printf '%q ' "$@" | sed -e "s/$FTP_PW/****/g" -e "s|$ROOT/||g")"
  EXTRA_KV=()
  if [ "$rc" != 0 ]; then log "  $tool exited $rc after ${LAST_WALL}s (log $logf):"; tail -5 "$logf" >&2 || true; fi
  log "  $tool: $(printf '%.2f' "$LAST_WALL") s (rc $rc, load $before)"
}
EXTRA_KV=()

# ferry_transfer_s LOGFILE: seconds between the engine's "accepted" and "done:" log lines (--verbose), i.e. the
# transfer without JVM start-up and ledger opening; empty when the log has neither.
ferry_transfer_s() {
  python3 - "$1" <<'PY'
import re, sys
first = last = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(?:\d{4}-\d\d-\d\d[ T])?(\d\d):(\d\d):(\d\d)\.(\d\d\d) ", line)
    if not m:
        continue
    t = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1000
    if " accepted: " in line and first is None:
        first = t
    if " done: " in line:
        last = t
if first is not None and last is not None:
    print(f"{(last - first) % 86400:.3f}")
PY
}

# same_file A B: cmp, or die
same_file() { cmp -s "$1" "$2" || die "$2 differs from $1"; }

machine_description() {
  {
    echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "- host: $(uname -srm); nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "- memory: $(free -m | awk '/Mem:/ {print $2 " MiB total, " $7 " MiB available"}')"
    echo "- java: $(java -version 2>&1 | sed -n 2p)"
    echo "- disk (bench/work): $(df -h "$WORK" | awk 'NR==2 {print $1 " " $2 " size, " $4 " free"}')"
    echo "- clients: lftp $(lftp --version | head -1 | grep -o 'Version [0-9.]*' | cut -d' ' -f2); $(aria2c --version | head -1); $(curl --version | head -1 | cut -d' ' -f1-2)"
    echo "- servers: vsftpd $(dpkg-query -W -f='${Version}' vsftpd 2>/dev/null); $(/opt/ferry-ftp/proftpd/usr/sbin/proftpd -v 2>&1 | head -1)"
    echo "- ferry: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?') ($(cd "$ROOT" && git rev-parse --abbrev-ref HEAD 2>/dev/null || echo 'not a git checkout'))"
  } > "$RESULTS/machine.md"
}

# meta SCEN KEY=VALUE...: scenario parameters for the report ($RESULTS/SCEN.meta.json)
meta() {
  local scen=$1; shift
  python3 - "$RESULTS/$scen.meta.json" "$@" <<'PY'
import json, sys
out = {}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    try:
        out[k] = int(v)
    except ValueError:
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = v
json.dump(out, open(sys.argv[1], "w"), indent=1)
PY
}
