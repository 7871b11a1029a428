#!/usr/bin/env bash
# Ferry benchmarks against reference FTP clients. See bench/README.md.
#   bench/run.sh                 every scenario, then bench/RESULTS.md
#   bench/run.sh SCENARIO...     only these (their previous results are replaced), then bench/RESULTS.md
#   bench/run.sh report          only rewrite bench/RESULTS.md from bench/results/*.jsonl
# Scenarios: startup throttled-download throttled-upload loopback small-files small-files-whole resume memory uneven
#            adaptive
#            tree-big tree-small (not in the default run: each costs minutes)
# Environment: BENCH_ROUNDS (3), BENCH_PORT_BASE (24100), BENCH_SIZE_MIB (128), BENCH_BIG_MIB (1024),
#              BENCH_HUGE_MIB (4096), BENCH_SMALL_FILES (1000), BENCH_STEADY_FILES ("10000 20000"),
#              BENCH_ADAPTIVE_MIB ("256 64 128": the per-connection, capped and shared-link files of "adaptive"),
#              BENCH_ADAPTIVE_CASES ("per-connection capped shared": which of them run),
#              BENCH_TREE_BIG ("1000 102400": files and bytes each), BENCH_TREE_SMALL ("10000 10240"),
#              BENCH_RESULTS (a scratch results folder),
#              BENCH_JAR, BENCH_SERVICE_ROOT, BENCH_SERVICE_JVM_OPTS (e.g. a JFR recording of the service)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
trap cleanup EXIT
set -E
trap 'rc=$?; log "failed (exit $rc) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

ALL=(startup throttled-download throttled-upload loopback small-files small-files-whole resume memory uneven adaptive)
SIZE=$(( ${BENCH_SIZE_MIB:-128} * MiB ))
BIG=$(( ${BENCH_BIG_MIB:-1024} * MiB ))
HUGE=$(( ${BENCH_HUGE_MIB:-4096} * MiB ))
NSMALL=${BENCH_SMALL_FILES:-1000}
NSTEADY=${BENCH_STEADY_FILES:-10000 20000}
RATE=4194304
LFTP_SET='set ftp:ssl-allow no; set net:max-retries 2; set net:timeout 30; set xfer:clobber on; set cmd:fail-exit yes'
CLASSES=$WORK/classes

ferry() { java "${FERRY_JVM_OPTS[@]}" -jar "$JAR" "$@"; }
FERRY_JVM_OPTS=()

camel_classes() {
  local c
  for c in CamelBaseline JvmFloor; do
    if [ ! -f "$CLASSES/$c.class" ] || [ "$BENCH/$c.java" -nt "$CLASSES/$c.class" ]; then
      mkdir -p "$CLASSES"
      javac -cp "$JAR" -d "$CLASSES" "$BENCH/$c.java"
    fi
  done
}

# ferry_inproc SCEN ROUND LOG [TOOL]: records Ferry's in-process transfer time (accepted .. done, from --verbose)
ferry_inproc() {
  local t; t=$(ferry_transfer_s "$3")
  [ -z "$t" ] || record "$1" "$2" "${4:-ferry} (in-process)" wall="$t"
}

# ---------------------------------------------------------------------------------------------------------------
scenario_startup() {
  local s=startup port=$PORT_BASE src=$WORK/st-root out=$WORK/st-out r
  meta $s small_file_bytes=1048576 server=vsftpd note="fixed cost of one CLI run; AppCDS rows: an archive made by one earlier run with -XX:ArchiveClassesAtExit; fresh ledger rows: removed before each run (schema creation, once per ledger for a user); kept ledger: made by one run before the rounds"
  make_file "$src/one.bin" $MiB
  start_server vsftpd "$port" "$src"
  local url; url=$(ftp_url "$port" one.bin)
  # An AppCDS archive of the classes a get loads (JDK 17: -XX:ArchiveClassesAtExit), for the comparison rows.
  rm -rf "$out" "$WORK/ledger-st" "$WORK/ferry.jsa"; mkdir -p "$out"
  timeout 120 java -XX:ArchiveClassesAtExit="$WORK/ferry.jsa" -jar "$JAR" get --quiet --ledger "$WORK/ledger-st" \
    "$url" "$out/one.bin" >"$WORK/$s-cds.log" 2>&1 || log "AppCDS archive not made (see $WORK/$s-cds.log)"
  # (the archive run above left one.bin in $out: without removing it this warm-up failed and made no archive)
  rm -rf "$out" "$WORK/cds" "$WORK/ledger-st" "$WORK/ledger-st-kept"; mkdir -p "$out"
  env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" get -q --ledger "$WORK/ledger-st" "$url" \
    "$out/one.bin" >"$WORK/$s-bin-warmup.log" 2>&1 || log "bin/ferry's archive not made (see $WORK/$s-bin-warmup.log)"
  # The ledger a user's every-day run finds: made by one run before the rounds and kept across them (the fresh rows
  # below pay the first run's schema creation, once per ledger for a user).
  rm -rf "$out"; mkdir -p "$out"
  env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" get -q --ledger "$WORK/ledger-st-kept" "$url" \
    "$out/one.bin" >"$WORK/$s-kept-warmup.log" 2>&1 || die "the kept ledger's first run failed (see $WORK/$s-kept-warmup.log)"
  for r in $(seq 1 "${BENCH_ROUNDS:-5}"); do
    timed $s "$r" "java -jar ferry.jar --help" 60 "$WORK/$s-help.log" -- java -jar "$JAR" --help
    rm -rf "$out" "$WORK/ledger-st"; mkdir -p "$out"
    timed $s "$r" "ferry get 1 MiB (whole run)" 60 "$WORK/$s-get-$r.log" -- \
      java -jar "$JAR" get --verbose --ledger "$WORK/ledger-st" "$url" "$out/one.bin"
    ferry_inproc $s "$r" "$WORK/$s-get-$r.log" "ferry get 1 MiB"
    if [ -f "$WORK/ferry.jsa" ]; then
      rm -rf "$out" "$WORK/ledger-st"; mkdir -p "$out"
      timed $s "$r" "ferry get 1 MiB (whole run, AppCDS)" 60 "$WORK/$s-getcds-$r.log" -- \
        java -XX:SharedArchiveFile="$WORK/ferry.jsa" -jar "$JAR" get --verbose --ledger "$WORK/ledger-st" "$url" "$out/one.bin"
    fi
    # The launcher users are told to use for the command line: its own archive (made by the warm-up before the loop)
    # and its compile flags, quiet as a user runs it.
    rm -rf "$out" "$WORK/ledger-st"; mkdir -p "$out"
    timed $s "$r" "bin/ferry get 1 MiB (whole run, -q)" 60 "$WORK/$s-bin-$r.log" -- \
      env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" get -q --ledger "$WORK/ledger-st" "$url" "$out/one.bin"
    same_file "$src/one.bin" "$out/one.bin"
    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "bin/ferry get 1 MiB (whole run, -q, kept ledger)" 60 "$WORK/$s-binkept-$r.log" -- \
      env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" get -q --ledger "$WORK/ledger-st-kept" "$url" "$out/one.bin"
    same_file "$src/one.bin" "$out/one.bin"
    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "curl 1 MiB" 60 "$WORK/$s-curl-$r.log" -- curl -sS --fail -o "$out/one.bin" "$url"
  done
  python3 - "$WORK/$s-get-1.log" "$RESULTS/$s.phases.txt" <<'PY'
import re, sys
# where the time of one CLI run goes, from its --verbose log (first line = JVM up and logging)
marks = [("ledger pool starting", "ferry-ledger - Starting"), ("ledger opened", "Opened ledger"),
         ("accepted (request recorded)", " accepted: "), ("planned, segments start", " started: "),
         ("verified", " verified: "), ("done", " done: ")]
seen = []
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(?:\d{4}-\d\d-\d\d[ T])?(\d\d):(\d\d):(\d\d)\.(\d\d\d) ", line)
    if not m:
        continue
    t = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1000
    for name, needle in marks:
        if needle in line and name not in [n for n, _ in seen]:
            seen.append((name, t))
with open(sys.argv[2], "w") as f:
    for (a, ta), (b, tb) in zip(seen, seen[1:]):
        f.write(f"{a} -> {b}: {tb - ta:.3f} s\n")
PY
  stop_servers
  rm -rf "$src" "$out" "$WORK/ferry.jsa" "$WORK/ledger-st-kept"
}

# ---------------------------------------------------------------------------------------------------------------
scenario_throttled_download() {
  local s=throttled-download port=$PORT_BASE src=$WORK/dl-root out=$WORK/dl-out r
  meta $s bytes="$SIZE" rate_per_connection="$RATE" ideal_4_connections_s="$(echo "$SIZE / (4 * $RATE)" | bc -l | cut -c1-6)" server=vsftpd
  make_file "$src/big.bin" "$SIZE"
  camel_classes
  start_server vsftpd "$port" "$src" "$RATE"
  local url; url=$(ftp_url "$port" big.bin)
  for r in $(seq 1 "$ROUNDS"); do
    rm -rf "$out" "$WORK/ledger-dl"; mkdir -p "$out"
    timed $s "$r" ferry 300 "$WORK/$s-ferry-$r.log" -- \
      java -jar "$JAR" get --segments 4 --verbose --ledger "$WORK/ledger-dl" "$url" "$out/big.bin"
    same_file "$src/big.bin" "$out/big.bin"
    ferry_inproc $s "$r" "$WORK/$s-ferry-$r.log"

    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "lftp pget -n 4" 300 "$WORK/$s-lftp-$r.log" -- \
      lftp -c "$LFTP_SET; pget -n 4 $url -o $out/big.bin"
    same_file "$src/big.bin" "$out/big.bin"

    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "aria2c -x4 -s4" 300 "$WORK/$s-aria2-$r.log" -- \
      aria2c -x4 -s4 -k1M --file-allocation=none --allow-overwrite=true --console-log-level=warn --summary-interval=0 \
      --ftp-pasv=true -d "$out" -o big.bin "$url"
    same_file "$src/big.bin" "$out/big.bin"

    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "curl (1 stream)" 300 "$WORK/$s-curl-$r.log" -- curl -sS --fail -o "$out/big.bin" "$url"
    same_file "$src/big.bin" "$out/big.bin"

    rm -rf "$out"; mkdir -p "$out" "$out.work"
    timed $s "$r" "camel-ftp route" 300 "$WORK/$s-camel-$r.log" -- \
      java -cp "$JAR:$CLASSES" CamelBaseline download 127.0.0.1 "$port" "$FTP_USER" "$FTP_PW" / big.bin "$out" "$out.work"
    same_file "$src/big.bin" "$out/big.bin"
    camel_kv $s "$r" "$WORK/$s-camel-$r.log"
  done
  stop_servers
  rm -rf "$out" "$out.work" "$src"
}

# camel_kv SCEN ROUND LOG: records the route's own transfer time (without JVM and context start)
camel_kv() {
  local t; t=$(awk '/^camel-transfer/ {print $2}' "$3")
  [ -z "$t" ] || record "$1" "$2" "camel-ftp route (in-process)" wall="$t"
}

# ---------------------------------------------------------------------------------------------------------------
# clear_dir DIR: empties a server root between runs (as root, from outside the server)
clear_dir() { find "$1" -mindepth 1 -delete 2>/dev/null || true; }

scenario_throttled_upload() {
  local s=throttled-upload port=$PORT_BASE vport=$((PORT_BASE + 50)) src=$WORK/up-src dst=$WORK/up-root vdst=$WORK/up-vroot r
  meta $s bytes="$SIZE" rate_per_connection="$RATE" ideal_4_connections_s="$(echo "$SIZE / (4 * $RATE)" | bc -l | cut -c1-6)" ideal_1_connection_s="$(echo "$SIZE / $RATE" | bc -l | cut -c1-6)" servers="proftpd (AllowStoreRestart on), vsftpd (lock_upload_files=NO)"
  make_file "$src/big.bin" "$SIZE"
  mkdir -p "$dst" "$vdst"
  start_server proftpd "$port" "$dst" "$RATE"
  # vsftpd takes a whole-file write lock per STOR unless lock_upload_files=NO (then parallel STORs proceed)
  start_server vsftpd "$vport" "$vdst" "$RATE" "lock_upload_files=NO"
  local url vurl; url=$(ftp_url "$port" big.bin); vurl=$(ftp_url "$vport" big.bin)
  for r in $(seq 1 "$ROUNDS"); do
    clear_dir "$dst"; rm -rf "$WORK/ledger-up"
    timed $s "$r" "proftpd: ferry" 300 "$WORK/$s-ferry-$r.log" -- \
      java -jar "$JAR" put --segments 4 --verbose --ledger "$WORK/ledger-up" "$src/big.bin" "$url"
    same_file "$src/big.bin" "$dst/big.bin"
    ferry_inproc $s "$r" "$WORK/$s-ferry-$r.log" "proftpd: ferry"

    clear_dir "$dst"
    timed $s "$r" "proftpd: lftp put" 300 "$WORK/$s-lftp-$r.log" -- \
      lftp -c "$LFTP_SET; open -u $FTP_USER,$FTP_PW -p $port 127.0.0.1; put $src/big.bin -o /big.bin"
    same_file "$src/big.bin" "$dst/big.bin"

    clear_dir "$dst"
    timed $s "$r" "proftpd: curl -T (1 stream)" 300 "$WORK/$s-curl-$r.log" -- curl -sS --fail -T "$src/big.bin" "$url"
    same_file "$src/big.bin" "$dst/big.bin"

    clear_dir "$vdst"; rm -rf "$WORK/ledger-up"
    timed $s "$r" "vsftpd: ferry" 300 "$WORK/$s-vferry-$r.log" -- \
      java -jar "$JAR" put --segments 4 --verbose --ledger "$WORK/ledger-up" "$src/big.bin" "$vurl"
    same_file "$src/big.bin" "$vdst/big.bin"
    ferry_inproc $s "$r" "$WORK/$s-vferry-$r.log" "vsftpd: ferry"

    clear_dir "$vdst"
    timed $s "$r" "vsftpd: curl -T (1 stream)" 300 "$WORK/$s-vcurl-$r.log" -- curl -sS --fail -T "$src/big.bin" "$vurl"
    same_file "$src/big.bin" "$vdst/big.bin"
  done
  stop_servers
  rm -rf "$src" "$dst" "$vdst"
}

# ---------------------------------------------------------------------------------------------------------------
scenario_loopback() {
  local s=loopback pd=$PORT_BASE pu=$((PORT_BASE + 50)) src=$WORK/lb-root out=$WORK/lb-out up=$WORK/lb-up r
  meta $s bytes="$BIG" download_server=vsftpd upload_server=proftpd
  make_file "$src/big.bin" "$BIG"
  mkdir -p "$up"
  start_server vsftpd "$pd" "$src"
  start_server proftpd "$pu" "$up"
  local dl ul; dl=$(ftp_url "$pd" big.bin); ul=$(ftp_url "$pu" big.bin)
  disk_ceiling $s 0
  for r in $(seq 1 "$ROUNDS"); do
    rm -rf "$out" "$WORK/ledger-lb"; mkdir -p "$out"
    timed $s "$r" "down: ferry" 600 "$WORK/$s-ferry-down-$r.log" -- \
      java -jar "$JAR" get --segments 4 --verbose --ledger "$WORK/ledger-lb" "$dl" "$out/big.bin"
    ferry_inproc $s "$r" "$WORK/$s-ferry-down-$r.log" "down: ferry"
    same_file "$src/big.bin" "$out/big.bin"
    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "down: curl" 600 "$WORK/$s-curl-down-$r.log" -- curl -sS --fail -o "$out/big.bin" "$dl"
    same_file "$src/big.bin" "$out/big.bin"
    rm -rf "$out"; mkdir -p "$out"
    # the same, but the data on disk at the end, as Ferry guarantees (it forces every checkpoint)
    timed $s "$r" "down: curl + fdatasync" 600 "$WORK/$s-curlsync-down-$r.log" -- \
      sh -c 'curl -sS --fail -o "$1" "$2" && sync --data "$1"' _ "$out/big.bin" "$dl"
    rm -rf "$out"

    clear_dir "$up"; rm -rf "$WORK/ledger-lb"
    timed $s "$r" "up: ferry" 600 "$WORK/$s-ferry-up-$r.log" -- \
      java -jar "$JAR" put --segments 4 --verbose --ledger "$WORK/ledger-lb" "$src/big.bin" "$ul"
    ferry_inproc $s "$r" "$WORK/$s-ferry-up-$r.log" "up: ferry"
    same_file "$src/big.bin" "$up/big.bin"
    clear_dir "$up"; rm -rf "$WORK/ledger-lb"
    # The same without the server's SHA-256 (size only), to tell the stream from the verification's cost
    timed $s "$r" "up: ferry --no-checksum" 600 "$WORK/$s-ferry-up-nock-$r.log" -- \
      java -jar "$JAR" put --segments 4 --no-checksum --verbose --ledger "$WORK/ledger-lb" "$src/big.bin" "$ul"
    ferry_inproc $s "$r" "$WORK/$s-ferry-up-nock-$r.log" "up: ferry --no-checksum"
    same_file "$src/big.bin" "$up/big.bin"
    clear_dir "$up"
    timed $s "$r" "up: curl -T" 600 "$WORK/$s-curl-up-$r.log" -- curl -sS --fail -T "$src/big.bin" "$ul"
    same_file "$src/big.bin" "$up/big.bin"
    clear_dir "$up"
  done
  # What verifying costs here, apart from any transfer: SHA-256 of the same 1 GiB on each side (proftpd answers a
  # new session's XSHA256 without its digest cache). A verified upload needs both, the stream's CPU besides.
  curl -sS --fail -T "$src/big.bin" "$ul"
  for r in $(seq 1 "$ROUNDS"); do
    # openssl, not sha256sum: coreutils' own SHA-256 has no SHA instructions (3 s here); OpenSSL's uses them, as Java's does
    timed $s "$r" "hash: SHA-256 of 1 GiB, local (openssl dgst)" 120 "$WORK/$s-sha-local.log" -- \
      openssl dgst -sha256 "$src/big.bin"
    timed $s "$r" "hash: SHA-256 of 1 GiB, server (proftpd XSHA256)" 120 "$WORK/$s-sha-server.log" -- \
      python3 -c 'import ftplib, os, sys
f = ftplib.FTP(); f.connect("127.0.0.1", int(sys.argv[1])); f.login(sys.argv[2], os.environ["BENCH_FTP_PW"])
print(f.sendcmd("XSHA256 big.bin"))' "$pu" "$FTP_USER"
  done
  clear_dir "$up"
  disk_ceiling $s 1
  stop_servers
  rm -rf "$src" "$out" "$up"
}

# disk_ceiling SCEN ROUND: dd 1 GiB with fdatasync into bench/work
disk_ceiling() {
  local dd_log=$WORK/dd.log
  timed "$1" "$2" "disk write 1 GiB (dd conv=fdatasync)" 300 "$dd_log" -- \
    dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=1024 conv=fdatasync
  rm -f "$WORK/dd.bin"
}

# ---------------------------------------------------------------------------------------------------------------
# The service: camel-main with the repository's routes/ and config/, in its own folder under bench/work.
service_available() { unzip -l "$JAR" dev/ferry/service/FerryService.class >/dev/null 2>&1 && [ -d "$SERVICE_ROOT/routes" ]; }

start_service() {  # start_service DIR PORT REMOTE_DIR LOG
  local dir=$1 port=$2 rdir=$3 logf=$4
  # copies, not links: camel-main's file:routes/*.yaml does not follow a linked folder
  mkdir -p "$dir"; cp -r "$SERVICE_ROOT/routes" "$SERVICE_ROOT/config" "$dir/"
  # shellcheck disable=SC2086
  ( cd "$dir" && FERRY_SERVERS_BENCH_PASSWORD=$FTP_PW exec java ${BENCH_SERVICE_JVM_OPTS:-} \
      -Dferry.data-dir="$dir/data" -Dferry.servers.bench.host=127.0.0.1 -Dferry.servers.bench.port="$port" \
      -Dferry.servers.bench.user="$FTP_USER" -Dferry.servers.bench.remote-dir="$rdir" \
      -Dferry.servers.bench.connection-limit=4 -Dferry.default-server=bench -Dferry.http.port=$((port + 89)) \
      -jar "$JAR" ) >"$logf" 2>&1 &
  SERVICE_PID=$!
  BG_PIDS+=("$SERVICE_PID")
}

scenario_small_files() {
  local s=small-files port=$PORT_BASE src=$WORK/small-src dst=$WORK/small-root r i n
  meta $s files="$NSMALL" file_bytes=102400 server=proftpd steady_after_files="$NSTEADY"
  local prev=$((2 * NSMALL)) n
  for n in $NSTEADY; do
    [ "$n" -ge "$prev" ] || die "BENCH_STEADY_FILES ($NSTEADY): ascending, from twice BENCH_SMALL_FILES on"
    prev=$((n + NSMALL))
  done
  rm -rf "$src"; mkdir -p "$src" "$dst"
  for i in $(seq -w 1 "$NSMALL"); do head -c $((100 * 1024)) /dev/urandom > "$src/f$i.bin"; done
  touch -d '1 minute ago' "$src"/*
  camel_classes
  start_server proftpd "$port" "$dst"
  for r in $(seq 1 "$ROUNDS"); do
    clear_dir "$dst"; install -d -o "$FTP_USER" "$dst/svc" "$dst/lftp" "$dst/camel"
    if service_available; then
      local svc=$WORK/svc-$r
      rm -rf "$svc"; mkdir -p "$svc"
      start_service "$svc" "$port" /svc "$WORK/$s-service-$r.log"
      # ready once the upload inbox route runs
      for i in $(seq 1 600); do
        grep -q 'ferry-upload-drops.*started\|Started ferry-upload-drops\|Apache Camel .* started' \
          "$WORK/$s-service-$r.log" 2>/dev/null && break
        kill -0 "$SERVICE_PID" 2>/dev/null || { tail -20 "$WORK/$s-service-$r.log" >&2; die "service died"; }
        sleep 0.1
      done
      ! grep -q 'Routes startup (total:0)' "$WORK/$s-service-$r.log" || die "the service loaded no routes"
      mkdir -p "$svc/data/inbox/upload"
      local stage=$svc/data/inbox/.stage
      cp -p -r "$src" "$stage"
      timed_drop $s "$r" "ferry service (inbox)" "$WORK/$s-service-wait-$r.log" "$stage" "$svc/data/inbox/upload"
      done_count "$svc/data/inbox/upload" "$NSMALL"
      # The same service again with another 1,000 (new names): a service runs for days, so its warm rate is
      # what users see; the first batch above includes the JVM's warm-up (JIT), the second does not.
      local stage2=$svc/data/inbox/.stage2
      mkdir -p "$stage2"
      for i in "$src"/*; do cp -p "$i" "$stage2/w-$(basename "$i")"; done
      timed_drop $s "$r" "ferry service (inbox, warm)" "$WORK/$s-service-warm-$r.log" "$stage2" \
        "$svc/data/inbox/upload"
      done_count "$svc/data/inbox/upload" "$((2 * NSMALL))"
      # Steady state: the second thousand still runs while the JVM compiles (on 2 cores its JIT threads take a third
      # to a half of the service's CPU then, async-profiler shows, and `jstat -compiler` still counts new compile time
      # after 10,000 files on some machines). A service that runs for days is past that, so it is fed more thousands,
      # untimed, until each number of files in NSTEADY has gone through, and then one more thousand is timed.
      # Hard links, not copies: the same bytes under new names, and no 100 MB written per thousand.
      local k=2 total=$((2 * NSMALL)) steady stage3
      for steady in $NSTEADY; do
        while [ "$total" -lt "$steady" ]; do
          k=$((k + 1)); stage3=$svc/data/inbox/.stage$k
          link_stage "$src" "$stage3" "s$k"
          mv "$stage3"/* "$svc/data/inbox/upload"/
          total=$((total + NSMALL))
          wait_done "$svc/data/inbox/upload" "$total" 600 || die "service: the warm-up drops did not finish"
        done
        k=$((k + 1)); stage3=$svc/data/inbox/.stage$k
        link_stage "$src" "$stage3" "s$k"
        total=$((total + NSMALL))
        timed_drop $s "$r" "ferry service (inbox, after $steady files)" "$WORK/$s-service-steady-$steady-$r.log" \
          "$stage3" "$svc/data/inbox/upload"
        done_count "$svc/data/inbox/upload" "$total"
      done
      kill -TERM "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
      forget "$SERVICE_PID"
      n=$(find "$dst/svc" -maxdepth 1 -type f ! -name '.*' | wc -l)
      [ "$n" = "$total" ] || die "service: $n of $total files on the server"
      rm -rf "$svc"
    else
      log "the service is not in $JAR (merge main once it lands): skipping its run"
    fi

    small_files_peers $s "$r" "$src" "$dst" "$port"
  done
  stop_servers
  rm -rf "$src" "$dst"
}

# The many-files scenario as a whole process (#16): every other scenario times Ferry's whole command beside its
# in-process time, but small-files times a service that is already up. Here the service is started with the 1,000
# files already waiting in its inbox (their mtime a minute old, so the read lock takes them at once) and timed from
# the `java -jar` to the inbox being empty: JVM start, ledger, routes and the first (cold) batch. Its in-process row
# is the same run from "Ferry is running." to the empty inbox. Beside it, in the same rounds, lftp's mirror, lftp
# doing Ferry's per-file work and the camel-ftp route, each a whole process too.
scenario_small_files_whole() {
  local s=small-files-whole port=$PORT_BASE src=$WORK/smallw-src dst=$WORK/smallw-root r i n
  meta $s files="$NSMALL" file_bytes=102400 server=proftpd start="service started with the files in its inbox"
  rm -rf "$src"; mkdir -p "$src" "$dst"
  for i in $(seq -w 1 "$NSMALL"); do head -c $((100 * 1024)) /dev/urandom > "$src/f$i.bin"; done
  touch -d '1 minute ago' "$src"/*
  camel_classes
  start_server proftpd "$port" "$dst"
  service_available || die "the service is not in $JAR"
  for r in $(seq 1 "$ROUNDS"); do
    clear_dir "$dst"; install -d -o "$FTP_USER" "$dst/svc" "$dst/lftp" "$dst/lftp-safe" "$dst/camel"
    local svc=$WORK/svcw-$r logf=$WORK/$s-service-$r.log load t0 t1 tready=""
    rm -rf "$svc" "$logf"; mkdir -p "$svc/data/inbox"
    cp -p -r "$src" "$svc/data/inbox/upload"
    load=$(load1)
    log "$s round $r: ferry service, whole process"
    t0=$(now)
    start_service "$svc" "$port" /svc "$logf"
    while [ -n "$(find "$svc/data/inbox/upload" -maxdepth 1 -type f ! -name '.*' -print -quit)" ]; do
      [ -n "$tready" ] || ! grep -q 'Ferry is running\.' "$logf" 2>/dev/null || tready=$(now)
      [ -z "$(ls -A "$svc/data/inbox/upload/.failed" 2>/dev/null)" ] || die "service: a drop failed"
      kill -0 "$SERVICE_PID" 2>/dev/null || { tail -20 "$logf" >&2; die "service died"; }
      [ "$(echo "$(now) - $t0 < 900" | bc)" = 1 ] || die "service: not done in 900 s"
      sleep 0.05
    done
    t1=$(now)
    [ -n "$tready" ] || tready=$t1  # every file went before the banner was seen: the in-process time is 0
    record $s "$r" "ferry service, whole process (java -jar to empty inbox)" wall="$(echo "$t1 - $t0" | bc -l)" rc=0 \
      load1="$load" load1_after="$(load1)" files="$NSMALL" \
      cmd="$(printf '%q ' java -Dferry.data-dir=bench/work/svcw-$r/data -Dferry.servers.bench.port="$port" \
             -Dferry.servers.bench.remote-dir=/svc -Dferry.servers.bench.connection-limit=4 -jar target/ferry.jar)"
    record $s "$r" "ferry service (in-process: \"Ferry is running.\" to empty inbox)" \
      wall="$(echo "$t1 - $tready" | bc -l)" files="$NSMALL"
    kill -TERM "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
    forget "$SERVICE_PID"
    done_count "$svc/data/inbox/upload" "$NSMALL"
    n=$(find "$dst/svc" -maxdepth 1 -type f ! -name '.*' | wc -l); [ "$n" = "$NSMALL" ] || die "service: $n of $NSMALL files"
    rm -rf "$svc"

    small_files_peers $s "$r" "$src" "$dst" "$port"
  done
  stop_servers
  rm -rf "$src" "$dst"
}

# timed_drop SCEN ROUND TOOL LOG STAGE INBOX: moves STAGE/* into INBOX, timed until no dropped file is left there
# (see wait_done for why not count .done/); fails on a file in .failed/.
timed_drop() {
  EXTRA_KV=(files="$NSMALL")
  timed "$1" "$2" "$3" 600 "$4" -- \
    bash -c 'mv "$1"/* "$2"/ && while [ -n "$(find "$2" -maxdepth 1 -type f ! -name ".*" -print -quit)" ]; do
               [ -z "$(ls -A "$2/.failed" 2>/dev/null)" ] || { echo failed: "$(ls "$2/.failed" | head)"; exit 1; }
               sleep 0.05; done' _ "$5" "$6"
}

# link_stage SRC DIR PREFIX: DIR holds SRC's files as hard links named PREFIX-<name> (the same bytes, new names)
link_stage() {
  local f
  mkdir -p "$2"
  for f in "$1"/*; do ln "$f" "$2/$3-$(basename "$f")"; done
}

# done_count INBOX COUNT: dies unless COUNT files are in INBOX/.done (checked after a timed run, outside its timer)
done_count() {
  local n; n=$(find "$1/.done" -maxdepth 1 -type f | wc -l)
  [ "$n" = "$2" ] || die "service: $n files in .done/, $2 expected"
}

# wait_done INBOX COUNT SECONDS: until no dropped file is left in INBOX and COUNT are in INBOX/.done (false on a failed
# drop or the time running out). A file leaves the inbox only for .done/ or .failed/, once its transfer has ended, so
# the loop watches the inbox, which shrinks, and not .done/, which grows to 11,000 entries and cost the machine 5 % of
# its CPU to list 20 times a second.
wait_done() {
  local end=$((SECONDS + $3))
  while [ -n "$(find "$1" -maxdepth 1 -type f ! -name '.*' -print -quit)" ]; do
    [ -z "$(ls -A "$1/.failed" 2>/dev/null)" ] || { log "failed: $(ls "$1/.failed" | head)"; return 1; }
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.05
  done
  [ "$(find "$1/.done" -maxdepth 1 -type f | wc -l)" -ge "$2" ]
}

# lftp_safe_scripts SRC DIR PORT: four lftp scripts, each uploading a quarter of SRC/* the way Ferry does.
lftp_safe_scripts() {
  local src=$1 dir=$2 port=$3 q i=0 f b
  rm -rf "$dir"; mkdir -p "$dir"
  for q in 0 1 2 3; do
    printf '%s\nopen -u %s,%s -p %s 127.0.0.1\ncd /lftp-safe\n' "$LFTP_SET" "$FTP_USER" "$FTP_PW" \
      "$port" > "$dir/q$q.lftp"
  done
  for f in "$src"/*; do
    b=$(basename "$f")
    # OPTS HASH with every file: lftp reconnects now and then without a word, and proftpd's default is SHA-1.
    printf 'put %s -o .%s.part\nquote OPTS HASH SHA-256\nquote HASH .%s.part\nmv .%s.part %s\n' "$f" "$b" "$b" "$b" "$b" \
      >> "$dir/q$((i % 4)).lftp"
    i=$((i + 1))
  done
}

# lftp_safe_check DIR: every server hash printed by the scripts equals the local sha256sum of its source.
lftp_safe_check() {
  local dir=$1
  python3 - "$dir" <<'PY'
import re, sys, os
d = sys.argv[1]
local = {}
for line in open(os.path.join(d, "local.sha256")):
    h, path = line.split(None, 1)
    local[os.path.basename(path.strip())] = h
seen = 0
for q in range(4):
    for m in re.finditer(r"213 SHA-256 \S+ ([0-9a-f]{64}) \S*?\.([^/\s]+)\.part", open(os.path.join(d, f"q{q}.out")).read()):
        if local.get(m.group(2)) != m.group(1):
            sys.exit(f"hash of {m.group(2)} differs")
        seen += 1
if seen != len(local):
    sys.exit(f"{seen} server hashes for {len(local)} files")
PY
}

# ---------------------------------------------------------------------------------------------------------------
# Bytes the server sent, from vsftpd's log (OK and FAIL DOWNLOAD lines count what it wrote to the data socket).
server_sent() { awk '/ DOWNLOAD: / { for (i = 1; i <= NF; i++) if ($i == "bytes,") s += $(i-1) } END { printf "%d\n", s }' "$1"; }

scenario_resume() {
  local s=resume port=$PORT_BASE src=$WORK/rs-root out=$WORK/rs-out r vlog
  meta $s bytes="$SIZE" rate_per_connection="$RATE" server=vsftpd checkpoint="4 MiB or 1 s per segment (default)"
  make_file "$src/big.bin" "$SIZE"
  start_server vsftpd "$port" "$src" "$RATE"
  vlog=$WORK/srv-$port/vsftpd.log
  local url; url=$(ftp_url "$port" big.bin)
  for r in $(seq 1 "$ROUNDS"); do
    # uninterrupted
    rm -rf "$out" "$WORK/ledger-rs"; mkdir -p "$out"
    : > "$vlog"
    timed $s "$r" "ferry uninterrupted" 300 "$WORK/$s-full-$r.log" -- \
      java -jar "$JAR" get --segments 4 --verbose --ledger "$WORK/ledger-rs" "$url" "$out/big.bin"
    same_file "$src/big.bin" "$out/big.bin"
    record $s "$r" "ferry uninterrupted: server bytes beyond the file" wall=$(( $(server_sent "$vlog") - SIZE ))

    # killed (-9) at half way, then run again
    rm -rf "$out" "$WORK/ledger-rs"; mkdir -p "$out"
    : > "$vlog"
    local t0 t1 pid part have=0 load; load=$(load1)
    t0=$(now)
    java -jar "$JAR" get --segments 4 --verbose --ledger "$WORK/ledger-rs" "$url" "$out/big.bin" \
      >"$WORK/$s-killed-$r.log" 2>&1 &
    pid=$!; BG_PIDS+=("$pid")
    for _ in $(seq 1 1200); do
      part=$(find "$out" -maxdepth 1 -name '.big.bin.ferry-*.part' | head -1)
      # allocated blocks: the part file is written at 4 offsets at once, so its length says nothing
      [ -z "$part" ] || have=$(( $(stat -c '%b * %B' "$part") ))
      [ "$have" -lt $((SIZE / 2)) ] || break
      kill -0 "$pid" 2>/dev/null || die "ferry ended before half way"
      sleep 0.05
    done
    kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
    forget "$pid"
    t1=$(now)
    local killed_after; killed_after=$(echo "$t1 - $t0" | bc -l)
    sleep 0.5
    local first_sent; first_sent=$(server_sent "$vlog")
    record $s "$r" "ferry killed -9 (first run)" wall="$killed_after" load1="$load" part_bytes="$have" \
      server_bytes="$first_sent"
    timed $s "$r" "ferry resume run" 300 "$WORK/$s-resume-$r.log" -- \
      java -jar "$JAR" get --segments 4 --verbose --ledger "$WORK/ledger-rs" "$url" "$out/big.bin"
    same_file "$src/big.bin" "$out/big.bin"
    local total_sent; total_sent=$(server_sent "$vlog")
    record $s "$r" "ferry killed + resumed: total time" wall="$(echo "$killed_after + $LAST_WALL" | bc -l)"
    record $s "$r" "ferry killed + resumed: server bytes beyond the file" wall=$((total_sent - SIZE)) \
      first_run="$first_sent" resumed_from="$(grep -o 'resumed with [0-9.]* [KMG]iB' "$WORK/$s-resume-$r.log" | head -1 | cut -d' ' -f3-)"
  done
  stop_servers
  rm -rf "$src" "$out"
}

# ---------------------------------------------------------------------------------------------------------------
scenario_memory() {
  local s=memory port=$PORT_BASE src=$WORK/mem-root out=$WORK/mem-out
  meta $s huge_bytes="$HUGE" small_bytes="$SIZE" server=vsftpd source="sparse file (zeros)"
  mkdir -p "$src"; rm -f "$src/huge.bin"; truncate -s "$HUGE" "$src/huge.bin"; chown "$FTP_USER" "$src/huge.bin"
  make_file "$src/big.bin" "$SIZE"
  start_server vsftpd "$port" "$src"
  local name opts t
  for t in "big.bin:default" "huge.bin:default" "huge.bin:-Xmx128m"; do
    name=${t%%:*}; opts=${t#*:}
    rm -rf "$out" "$WORK/ledger-mem"; mkdir -p "$out"
    local jvm=(); [ "$opts" = default ] || jvm=("$opts")
    local label; label="ferry get $( [ "$name" = huge.bin ] && echo "$((HUGE / MiB)) MiB" || echo "$((SIZE / MiB)) MiB"), JVM $opts"
    timed $s 1 "$label" 900 "$WORK/$s-$name-$opts.log" -- \
      /usr/bin/time -v java "${jvm[@]}" -jar "$JAR" get --verbose --ledger "$WORK/ledger-mem" \
      "$(ftp_url "$port" "$name")" "$out/$name"
    [ "$LAST_RC" = 0 ] || die "$label failed"
    [ "$(stat -c %s "$out/$name")" = "$(stat -c %s "$src/$name")" ] || die "$label: wrong size"
    record $s 1 "$label: peak RSS MiB" wall="$(awk '/Maximum resident set size/ {printf "%.1f", $NF / 1024}' "$WORK/$s-$name-$opts.log")"
    ferry_inproc $s 1 "$WORK/$s-$name-$opts.log" "$label"
    rm -rf "$out"
  done
  # a reference point: curl's peak RSS for the 4 GiB file
  mkdir -p "$out"
  timed $s 1 "curl $((HUGE / MiB)) MiB" 900 "$WORK/$s-curl.log" -- \
    /usr/bin/time -v curl -sS --fail -o "$out/huge.bin" "$(ftp_url "$port" huge.bin)"
  record $s 1 "curl $((HUGE / MiB)) MiB: peak RSS MiB" wall="$(awk '/Maximum resident set size/ {printf "%.1f", $NF / 1024}' "$WORK/$s-curl.log")"
  stop_servers
  rm -rf "$src" "$out"
}

# ---------------------------------------------------------------------------------------------------------------
scenario_uneven() {
  local s=uneven port=$PORT_BASE pport=$((PORT_BASE + 50)) src=$WORK/un-root out=$WORK/un-out r
  meta $s bytes="$SIZE" rate_per_connection="$RATE" slow_connection_rate=524288 ideal_s="$(echo "$SIZE / (3 * $RATE + 524288)" | bc -l | cut -c1-6)" server=vsftpd
  make_file "$src/big.bin" "$SIZE"
  start_server vsftpd "$port" "$src" "$RATE"
  local slow=$((512 * 1024))
  port_free "$pport" || die "port $pport (proxy) is taken"
  rm -f "$WORK/$s-proxy.log"
  python3 "$BENCH/throttle_proxy.py" --listen "$pport" --upstream "$port" --slow-rate "$slow" \
    --log "$WORK/$s-proxy.log" 2>"$WORK/$s-proxy.err" &
  local proxy=$!
  BG_PIDS+=("$proxy")
  for _ in $(seq 1 200); do
    kill -0 "$proxy" 2>/dev/null || { cat "$WORK/$s-proxy.err" >&2; die "the proxy ended"; }
    port_free "$pport" || break
    sleep 0.1
  done
  port_free "$pport" && die "the proxy does not listen on $pport"
  local url; url=$(ftp_url "$pport" big.bin)
  for r in $(seq 1 "$ROUNDS"); do
    rm -rf "$out" "$WORK/ledger-un"; mkdir -p "$out"
    timed $s "$r" ferry 300 "$WORK/$s-ferry-$r.log" -- \
      java -jar "$JAR" get --segments 4 --verbose --ledger "$WORK/ledger-un" "$url" "$out/big.bin"
    same_file "$src/big.bin" "$out/big.bin"
    ferry_inproc $s "$r" "$WORK/$s-ferry-$r.log"

    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "lftp pget -n 4" 300 "$WORK/$s-lftp-$r.log" -- lftp -c "$LFTP_SET; pget -n 4 $url -o $out/big.bin"
    same_file "$src/big.bin" "$out/big.bin"

    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "aria2c -x4 -s4" 300 "$WORK/$s-aria2-$r.log" -- \
      aria2c -x4 -s4 -k1M --file-allocation=none --allow-overwrite=true --console-log-level=warn --summary-interval=0 \
      --ftp-pasv=true -d "$out" -o big.bin "$url"
    same_file "$src/big.bin" "$out/big.bin"
  done
  stop_servers
  rm -rf "$src" "$out"
}

# ---------------------------------------------------------------------------------------------------------------
# Connections that adapt (#16.3), three servers, each client with its defaults and tuned to the case:
#   per-connection  vsftpd at 2 MiB/s per connection: more connections pay all the way (Ferry's ceiling: 16)
#   capped          the same with max_per_ip=2: the third connection gets 421
#   shared          vsftpd unthrottled behind throttle_proxy.py --shared-rate 8 MiB/s: four fill the link
# Every row is the whole process; Ferry's runs are --verbose for its in-process rows (transfer only), and its log
# is checked for a line a user would take for an error. For "shared" the proxy's log gives the control connections Ferry kept open in
# the second half of its run (after any probe of more connections).
scenario_adaptive() {
  local s=adaptive port=$PORT_BASE pport=$((PORT_BASE + 50)) src=$WORK/ad-root out=$WORK/ad-out r
  local sizes=(${BENCH_ADAPTIVE_MIB:-256 64 128})
  local per=$((sizes[0] * MiB)) capped=$((sizes[1] * MiB)) shared=$((sizes[2] * MiB)) rate=$((2 * MiB)) link=$((8 * MiB))
  meta $s per_connection_bytes="$per" capped_bytes="$capped" shared_bytes="$shared" rate_per_connection="$rate" \
    shared_link_rate="$link" server=vsftpd \
    note="targets: per-connection Ferry >= 2.5x lftp pget (default n) and >= 5x aria2c (default); capped within 5 % of --segments 2, no error shown; shared no slower than --segments 4, at most 4 connections kept"
  make_file "$src/per.bin" "$per"
  make_file "$src/capped.bin" "$capped"
  make_file "$src/shared.bin" "$shared"

  # adaptive_case CASE URL FILE TUNED_N: one round of the six clients, alternating
  adaptive_case() {
    local c=$1 url=$2 f=$3 n=$4 log
    rm -rf "$out" "$WORK/ledger-ad"; mkdir -p "$out"
    log=$WORK/$s-$c-ferry-$r.log
    timed $s "$r" "$c: ferry" 600 "$log" -- java -jar "$JAR" get --verbose --ledger "$WORK/ledger-ad" "$url" "$out/$f"
    same_file "$src/$f" "$out/$f"
    ferry_inproc $s "$r" "$log" "$c: ferry"
    # what a user would see without --verbose: the command's own error line; with it, WARN and ERROR log lines too
    record $s "$r" "$c: ferry, error lines shown" wall="$(grep -cE '^error|^ferry: | (WARN|ERROR) ' "$log" || true)"
    record $s "$r" "$c: ferry, connections asked for beyond the plan (log)" \
      wall="$(grep -o 'trying [0-9]* more' "$log" | awk '{n += $2} END {print n + 0}')"
    [ "$c" != shared ] || record $s "$r" "$c: ferry, connections open in its second half (most)" \
      wall="$(kept_connections "$WORK/$s-proxy.log" "$LAST_T0" "$LAST_WALL")"

    # The launcher the README gives for the command line (its class-data archive made before the rounds): the same
    # engine, the JVM's start-up shorter by about half a second.
    rm -rf "$out" "$WORK/ledger-ad"; mkdir -p "$out"
    timed $s "$r" "$c: bin/ferry" 600 "$WORK/$s-$c-binferry-$r.log" -- \
      env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" get -q --ledger "$WORK/ledger-ad" "$url" "$out/$f"
    same_file "$src/$f" "$out/$f"
    record $s "$r" "$c: bin/ferry, error lines shown" wall="$(grep -cE '^error|^ferry: | (WARN|ERROR) ' \
      "$WORK/$s-$c-binferry-$r.log" || true)"

    rm -rf "$out" "$WORK/ledger-ad"; mkdir -p "$out"
    timed $s "$r" "$c: ferry --segments $n" 600 "$WORK/$s-$c-ferryn-$r.log" -- \
      java -jar "$JAR" get --segments "$n" --verbose --ledger "$WORK/ledger-ad" "$url" "$out/$f"
    same_file "$src/$f" "$out/$f"
    ferry_inproc $s "$r" "$WORK/$s-$c-ferryn-$r.log" "$c: ferry --segments $n"
    [ "$c" != shared ] || record $s "$r" "$c: ferry --segments $n, connections open in its second half (most)" \
      wall="$(kept_connections "$WORK/$s-proxy.log" "$LAST_T0" "$LAST_WALL")"

    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "$c: lftp pget" 600 "$WORK/$s-$c-lftp-$r.log" -- lftp -c "$LFTP_SET; pget $url -o $out/$f"
    same_file "$src/$f" "$out/$f"
    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "$c: lftp pget -n $n" 600 "$WORK/$s-$c-lftpn-$r.log" -- lftp -c "$LFTP_SET; pget -n $n $url -o $out/$f"
    same_file "$src/$f" "$out/$f"

    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "$c: aria2c" 600 "$WORK/$s-$c-aria2-$r.log" -- \
      aria2c --file-allocation=none --allow-overwrite=true --console-log-level=warn --summary-interval=0 \
      -d "$out" -o "$f" "$url"
    same_file "$src/$f" "$out/$f"
    rm -rf "$out"; mkdir -p "$out"
    timed $s "$r" "$c: aria2c -x$n -s$n" 600 "$WORK/$s-$c-aria2n-$r.log" -- \
      aria2c -x"$n" -s"$n" -k1M --file-allocation=none --allow-overwrite=true --console-log-level=warn \
      --summary-interval=0 -d "$out" -o "$f" "$url"
    same_file "$src/$f" "$out/$f"
  }

  start_server vsftpd "$port" "$src" "$rate"
  start_server vsftpd $((port + 60)) "$src" "$rate" "max_per_ip=2"
  start_server vsftpd $((port + 100)) "$src"
  port_free "$pport" || die "port $pport (proxy) is taken"
  rm -f "$WORK/$s-proxy.log"
  python3 "$BENCH/throttle_proxy.py" --listen "$pport" --upstream $((port + 100)) --shared-rate "$link" \
    --log "$WORK/$s-proxy.log" 2>"$WORK/$s-proxy.err" &
  BG_PIDS+=($!)
  for _ in $(seq 1 200); do port_free "$pport" || break; sleep 0.1; done
  port_free "$pport" && die "the proxy does not listen on $pport"
  # bin/ferry's class-data archive for the command line, made by one run before the rounds (as a user's first run)
  rm -rf "$out" "$WORK/ledger-ad"; mkdir -p "$out"
  env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" get -q --ledger "$WORK/ledger-ad" \
    "$(ftp_url $((port + 100)) capped.bin)" "$out/capped.bin" >"$WORK/$s-bin-warmup.log" 2>&1 \
    || die "bin/ferry's first run failed (see $WORK/$s-bin-warmup.log)"
  for r in $(seq 1 "$ROUNDS"); do
    log "uptime: $(uptime)"
    record $s "$r" "load1 at the round's start" wall="$(load1)"
    case " ${BENCH_ADAPTIVE_CASES:-per-connection capped shared} " in *" per-connection "*)
      adaptive_case per-connection "$(ftp_url "$port" per.bin)" per.bin 16 ;; esac
    case " ${BENCH_ADAPTIVE_CASES:-per-connection capped shared} " in *" capped "*)
      adaptive_case capped "$(ftp_url $((port + 60)) capped.bin)" capped.bin 2 ;; esac
    case " ${BENCH_ADAPTIVE_CASES:-per-connection capped shared} " in *" shared "*)
      adaptive_case shared "$(ftp_url "$pport" shared.bin)" shared.bin 4 ;; esac
  done
  stop_servers
  rm -rf "$src" "$out"
}

# kept_connections PROXY_LOG T0 WALL: most control sessions open through the proxy in the second half of [T0, T0+WALL]
kept_connections() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
log, t0, wall = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
mid, end = t0 + wall / 2, t0 + wall
live_at_mid, most = 0, None
for line in open(log, errors="replace"):
    m = re.search(r"live=(\d+) t=([\d.]+)", line)
    if not m:
        continue
    live, t = int(m[1]), float(m[2])
    if t <= mid:
        live_at_mid = live
    elif t <= end:
        most = max(most if most is not None else live_at_mid, live)
print(most if most is not None else live_at_mid)
PY
}

# A folder down and up (#18): Ferry's CLI `get -r` / `put -r` as a whole process (JVM start and ledger included, a
# fresh ledger each run so nothing is skipped as already there) against lftp's mirror / mirror -R, default and
# --parallel=4, a plain camel-ftp route (recursive=true consumer down, file: recursive=true to ftp: up), and the JVM
# floor (bench/JvmFloor.java: commons-net on 4 connections that only stream, the least any JVM client does), all on
# proftpd (MLSD and HASH: Ferry checks each file's size and its SHA-256 from the server). Four folders of equal
# share, the tools alternating within each round; every copy compared with the source (diff -r, outside the timer).
# Every tool runs under /usr/bin/time -v: its process CPU (user+sys) is a row of its own, the measure that a loaded
# machine disturbs least, and Ferry's peak RSS shows it flat in the number of files (tree-big against tree-small).
# Ferry runs twice each way: `java -jar` (the JVM's defaults, as the rows before) and bin/ferry, the launcher users
# run (its class-data archive, made by a warm-up run before the rounds, and its command-line JIT flags).
scenario_tree_big() { tree_scenario tree-big ${BENCH_TREE_BIG:-1000 102400}; }
scenario_tree_small() { tree_scenario tree-small ${BENCH_TREE_SMALL:-10000 10240}; }

tree_scenario() {
  local s=$1 files=$2 bytes=$3 port=$PORT_BASE src=$WORK/$1-src root=$WORK/$1-root down=$WORK/$1-down r par
  meta "$s" files="$files" file_bytes="$bytes" folders=4 server=proftpd \
    verified="Ferry: size and the server's SHA-256 per file, atomic rename (lftp, camel-ftp: none)"
  if [ "$(find "$src" -type f 2>/dev/null | wc -l)" != "$files" ]; then
    rm -rf "$src"
    # one process for all files: a head(1) per file cost a minute for 10,000 on a loaded machine
    python3 - "$src" "$files" "$bytes" <<'PY'
import os, sys
src, files, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for d in range(4):
    os.makedirs(f"{src}/d{d}", exist_ok=True)
    for i in range(1, files // 4 + 1):
        with open(f"{src}/d{d}/f{i}.bin", "wb") as f:
            f.write(os.urandom(size))
PY
  fi
  camel_classes
  mkdir -p "$root"; chmod 755 "$root"
  start_server proftpd "$port" "$root"
  local url; url=$(ftp_url "$port" "")
  local lopen="$LFTP_SET; open -u $FTP_USER,$FTP_PW -p $port 127.0.0.1"
  tree_bin_warmup "$s" "$url" "$root"
  for r in $(seq 1 "$ROUNDS"); do
    clear_dir "$root"; cp -r "$src" "$root/tree"; chown -R "$FTP_USER" "$root"
    rm -rf "$down" "$WORK/$s-ledger"; mkdir -p "$down"
    tree_timed "$s" "$r" "down: ferry get -r" "$WORK/$s-ferry-get-$r.log" "$files" \
      java -jar "$JAR" get -r -q --ledger "$WORK/$s-ledger" "${url}tree/" "$down"
    tree_rss "$s" "$r" "down: ferry get -r peak RSS" "$WORK/$s-ferry-get-$r.log"
    tree_same "$src" "$down" "ferry get -r"
    rm -rf "$down" "$WORK/$s-ledger"; mkdir -p "$down"
    tree_timed "$s" "$r" "down: bin/ferry get -r" "$WORK/$s-bin-get-$r.log" "$files" \
      env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" get -r -q --ledger "$WORK/$s-ledger" \
      "${url}tree/" "$down"
    tree_same "$src" "$down" "bin/ferry get -r"
    for par in "--parallel=4" ""; do
      rm -rf "$down"; mkdir -p "$down"
      tree_timed "$s" "$r" "down: lftp mirror${par:+ $par}" "$WORK/$s-lftp-get-$r.log" "$files" \
        lftp -c "$lopen; mirror $par /tree $down"
      tree_same "$src" "$down" "lftp mirror${par:+ $par}"
    done
    rm -rf "$down"; mkdir -p "$down"
    tree_timed "$s" "$r" "down: camel-ftp route (recursive)" "$WORK/$s-camel-get-$r.log" "$files" \
      java -cp "$JAR:$CLASSES" CamelBaseline tree-download 127.0.0.1 "$port" "$FTP_USER" "$FTP_PW" /tree "$down" "$files"
    tree_same "$src" "$down" "camel-ftp route (recursive)"
    rm -rf "$down"; mkdir -p "$down"
    tree_timed "$s" "$r" "down: JVM floor (commons-net, 4 streams, nothing kept or verified)" \
      "$WORK/$s-floor-get-$r.log" "$files" \
      java -XX:TieredStopAtLevel=1 -cp "$JAR:$CLASSES" JvmFloor tree-download 127.0.0.1 "$port" "$FTP_USER" "$FTP_PW" \
      /tree "$down" 4
    tree_same "$src" "$down" "JVM floor"
    rm -rf "$down" "$WORK/$s-ledger"
    clear_dir "$root"; install -d -o "$FTP_USER" "$root/up"
    tree_timed "$s" "$r" "up: ferry put -r" "$WORK/$s-ferry-put-$r.log" "$files" \
      java -jar "$JAR" put -r -q --ledger "$WORK/$s-ledger" "$src" "${url}up/"
    tree_rss "$s" "$r" "up: ferry put -r peak RSS" "$WORK/$s-ferry-put-$r.log"
    tree_same "$src" "$root/up" "ferry put -r"
    rm -rf "$WORK/$s-ledger"
    clear_dir "$root"; install -d -o "$FTP_USER" "$root/up"
    tree_timed "$s" "$r" "up: bin/ferry put -r" "$WORK/$s-bin-put-$r.log" "$files" \
      env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" put -r -q --ledger "$WORK/$s-ledger" \
      "$src" "${url}up/"
    tree_same "$src" "$root/up" "bin/ferry put -r"
    for par in "--parallel=4" ""; do
      clear_dir "$root"; install -d -o "$FTP_USER" "$root/up"
      tree_timed "$s" "$r" "up: lftp mirror -R${par:+ $par}" "$WORK/$s-lftp-put-$r.log" "$files" \
        lftp -c "$lopen; mirror -R $par $src /up"
      tree_same "$src" "$root/up" "lftp mirror -R${par:+ $par}"
    done
    clear_dir "$root"; install -d -o "$FTP_USER" "$root/up"
    tree_timed "$s" "$r" "up: camel-ftp route (recursive)" "$WORK/$s-camel-put-$r.log" "$files" \
      java -cp "$JAR:$CLASSES" CamelBaseline tree-upload 127.0.0.1 "$port" "$FTP_USER" "$FTP_PW" /up "$src" "$files"
    tree_same "$src" "$root/up" "camel-ftp route (recursive)"
    clear_dir "$root"; install -d -o "$FTP_USER" "$root/up"
    tree_timed "$s" "$r" "up: JVM floor (commons-net, 4 streams, nothing kept or verified)" \
      "$WORK/$s-floor-put-$r.log" "$files" \
      java -XX:TieredStopAtLevel=1 -cp "$JAR:$CLASSES" JvmFloor tree-upload 127.0.0.1 "$port" "$FTP_USER" "$FTP_PW" \
      /up "$src" 4
    tree_same "$src" "$root/up" "JVM floor"
    rm -rf "$WORK/$s-ledger"
  done
  stop_servers
  rm -rf "$root" "$down"
}

# tree_bin_warmup SCEN URL ROOT: bin/ferry's class-data archive, made by its first run (a put -r of a few files,
# since the command line has one archive for get and put), so that no timed bin/ferry run pays for making it
tree_bin_warmup() {
  local s=$1 url=$2 root=$3 w=$WORK/$1-bin-warmup
  rm -rf "$WORK/cds" "$w" "$WORK/$s-ledger"; mkdir -p "$w/src"
  for i in 1 2 3 4; do head -c 102400 /dev/urandom > "$w/src/f$i.bin"; done
  clear_dir "$root"; install -d -o "$FTP_USER" "$root/up"
  env FERRY_JAR="$JAR" FERRY_CDS_DIR="$WORK/cds" "$ROOT/bin/ferry" put -r -q --ledger "$WORK/$s-ledger" "$w/src" \
    "${url}up/" >"$WORK/$s-bin-warmup.log" 2>&1 || log "bin/ferry's archive not made (see $WORK/$s-bin-warmup.log)"
  rm -rf "$w" "$WORK/$s-ledger"
}

# tree_timed SCEN ROUND NAME LOG FILES CMD...: CMD as a whole process under /usr/bin/time -v (wall time, files), then
# its CPU (user+sys) as a row "NAME CPU"
tree_timed() {
  local s=$1 r=$2 name=$3 logf=$4 files=$5; shift 5
  EXTRA_KV=(files="$files")
  timed "$s" "$r" "$name" 900 "$logf" -- /usr/bin/time -v "$@"
  [ "$LAST_RC" = 0 ] || die "$name exited $LAST_RC (log $logf)"
  record "$s" "$r" "$name CPU" wall="$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {t += $2}
                                              END {printf "%.2f", t}' "$logf")"
}

# tree_same SRC COPY TOOL: the copy is the source, byte for byte (outside the timer)
tree_same() { diff -r "$1" "$2" >/dev/null || die "$3: the copy differs from the source"; }

# tree_rss SCEN ROUND NAME LOG: the peak RSS /usr/bin/time -v wrote into LOG, as a row of its own (MiB)
tree_rss() {
  record "$1" "$2" "$3" wall="$(awk '/Maximum resident set size/ {printf "%.1f", $NF / 1024}' "$4")"
}

# small_files_peers SCEN ROUND SRC DST PORT: the peers of both small-files scenarios in one round, each a whole
# process: lftp's mirror -R, lftp doing Ferry's per-file work, and the camel-ftp route.
small_files_peers() {
  local s=$1 r=$2 src=$3 dst=$4 port=$5 n
  EXTRA_KV=(files="$NSMALL")
  timed $s "$r" "lftp mirror -R --parallel=4" 600 "$WORK/$s-lftp-$r.log" -- \
    lftp -c "$LFTP_SET; open -u $FTP_USER,$FTP_PW -p $port 127.0.0.1; mirror -R --parallel=4 $src/ /lftp"
  n=$(find "$dst/lftp" -maxdepth 1 -type f | wc -l); [ "$n" = "$NSMALL" ] || die "lftp: $n of $NSMALL files"

  # lftp doing what Ferry does per file, to separate the cost of that work from the cost of Ferry: each file to a
  # temporary name, the server's SHA-256 of it (HASH, compared after the run with sha256sum of the sources, which
  # runs inside the timer), then RNFR/RNTO to the final name; four lftp processes, a quarter of the files each.
  install -d -o "$FTP_USER" "$dst/lftp-safe"
  lftp_safe_scripts "$src" "$WORK/lftp-safe" "$port"
  EXTRA_KV=(files="$NSMALL")
  timed $s "$r" "lftp, 4 × (put to temp name, HASH, mv)" 600 "$WORK/$s-lftp-safe-$r.log" -- \
    bash -c 'sha256sum "$1"/* > "$2/local.sha256" & for q in 0 1 2 3; do lftp -f "$2/q$q.lftp" > "$2/q$q.out" 2>&1 & done
             wait' _ "$src" "$WORK/lftp-safe"
  n=$(find "$dst/lftp-safe" -maxdepth 1 -type f ! -name '.*' | wc -l); [ "$n" = "$NSMALL" ] || die "lftp-safe: $n of $NSMALL files"
  lftp_safe_check "$WORK/lftp-safe" || die "lftp-safe: a server hash differs from the source's"

  EXTRA_KV=(files="$NSMALL")
  timed $s "$r" "camel-ftp route" 600 "$WORK/$s-camel-$r.log" -- \
    java -cp "$JAR:$CLASSES" CamelBaseline upload 127.0.0.1 "$port" "$FTP_USER" "$FTP_PW" /camel "$src" "$NSMALL"
  n=$(find "$dst/camel" -maxdepth 1 -type f | wc -l); [ "$n" = "$NSMALL" ] || die "camel: $n of $NSMALL files"
  camel_kv $s "$r" "$WORK/$s-camel-$r.log"
}

# ---------------------------------------------------------------------------------------------------------------
main() {
  local scenarios=("$@") sc
  [ ${#scenarios[@]} -gt 0 ] || scenarios=("${ALL[@]}")
  if [ "${scenarios[0]}" != report ]; then
    ensure_prereqs
    # The jar is the one built (or found) now: commits made while a long run goes on do not change what it measures.
    local rev; rev=$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?')
    machine_description
    for sc in "${scenarios[@]}"; do
      declare -F "scenario_${sc//-/_}" >/dev/null || die "unknown scenario $sc (one of: ${ALL[*]})"
    done
    for sc in "${scenarios[@]}"; do
      rm -f "$RESULTS/$sc.jsonl"
      # the sizes set from outside belong to the command: a reduced tree must say so
      local sizes; sizes=$(env | { grep -E '^BENCH_(TREE_BIG|TREE_SMALL|SMALL_FILES|SIZE_MIB)=' || true; } | sed -E 's/=(.*)/="\1"/' | tr '\n' ' ')
      echo "${sizes}bench/run.sh $sc  # $(date -u +%Y-%m-%dT%H:%M:%SZ), BENCH_ROUNDS=$ROUNDS, ferry at $rev" > "$RESULTS/$sc.cmd"
      log "=== $sc (load $(cut -d' ' -f1-3 /proc/loadavg))"
      "scenario_${sc//-/_}"
      cleanup
    done
  fi
  # a scratch results folder (BENCH_RESULTS) gets its own report, never bench/RESULTS.md
  local report=$BENCH/RESULTS.md
  [ -z "${BENCH_RESULTS:-}" ] || report=$RESULTS/RESULTS.md
  python3 "$BENCH/report.py" "$RESULTS" "$report"
  log "wrote $report"
}

main "$@"
exit $?
