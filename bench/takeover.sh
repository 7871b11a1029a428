#!/usr/bin/env bash
# Takeover after kill -9 (issue 15): two service nodes on one PostgreSQL ledger, a 64 MiB download from a throttled
# vsftpd running on node A; A is killed with kill -9 half way. Measured, per round:
#   lease left at the kill   lease_until - now on the database's clock, read just before the kill
#   expiry -> claim          when node B's claim (owner = B) shows in the ledger, after the lease's end
#   expiry -> first byte     when the part file next grows after B's claim (its allocated blocks, after a sync: A is
#                            dead, so it is B writing)
# Prints one line per round and the medians; the download is compared with its source byte for byte.
#
#   sudo bench/takeover.sh                     # 3 rounds, lease 10 s
#   BENCH_ROUNDS=5 BENCH_LEASE=30 sudo bench/takeover.sh
#
# Needs root (vsftpd logs in the local user ferrytest), PostgreSQL on 127.0.0.1:5432 (database test, user postgres,
# trust) and target/ferry.jar (built if missing). Uses its own schema, dropped at the end.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
trap 'cleanup; drop_schema' EXIT

LEASE=${BENCH_LEASE:-10}
SIZE=$(( ${BENCH_TAKEOVER_MIB:-64} * MiB ))
RATE=$(( 1 * MiB ))            # per connection; 4 segments: about 16 s for 64 MiB
PORT=$((PORT_BASE + 50))
SCHEMA=ferry_bench_takeover_$$
PG="psql -h 127.0.0.1 -U postgres -d test -qtAX"
drop_schema() { $PG -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true; }

ensure_prereqs
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q package -DskipTests)
$PG -c "SELECT 1" >/dev/null || die "PostgreSQL is not reachable at 127.0.0.1:5432 (database test, user postgres)"

src=$WORK/takeover-root
make_file "$src/big.bin" "$SIZE"
start_server vsftpd "$PORT" "$src" "$RATE"

# node NAME DIR HTTP_PORT: a service on the shared ledger and the shared download folder
node() {
  local name=$1 dir=$2 http=$3
  # the last round's log too: the wait below must not find its "Ferry is running."
  rm -f "$dir.log"; mkdir -p "$dir"; cp -r "$SERVICE_ROOT/routes" "$SERVICE_ROOT/config" "$dir/"
  ( cd "$dir" && FERRY_SERVERS_BENCH_PASSWORD=$FTP_PW exec java \
      -Dferry.node-id="$name" -Dferry.data-dir="$dir/data" -Dferry.download-dir="$WORK/takeover-out" \
      -Dferry.ledger.url="jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$SCHEMA" -Dferry.ledger.user=postgres \
      -Dferry.cluster.lease-seconds="$LEASE" -Dferry.cluster.shared-storage=true \
      -Dferry.servers.bench.host=127.0.0.1 -Dferry.servers.bench.port="$PORT" -Dferry.servers.bench.user="$FTP_USER" \
      -Dferry.servers.bench.connection-limit=8 -Dferry.default-server=bench -Dferry.http.port="$http" \
      -jar "$JAR" ) >"$dir.log" 2>&1 &
  BG_PIDS+=($!)
  NODE_PID=$!
  for _ in $(seq 1 600); do grep -q "Ferry is running." "$dir.log" 2>/dev/null && return 0; sleep 0.1; done
  die "$name did not start (see $dir.log)"
}

# part_blocks: allocated bytes of every part file in the download folder, "name bytes" per line
part_blocks() { find "$WORK/takeover-out" -maxdepth 1 -name '.big.bin.ferry-*.part' -printf '%f %b\n' 2>/dev/null \
  | awk '{ print $1, $2 * 512 }'; }
ms() { echo "($1) * 1000 / 1" | bc; }

results=()
for r in $(seq 1 "$ROUNDS"); do
  drop_schema; $PG -c "CREATE SCHEMA $SCHEMA" >/dev/null
  rm -rf "$WORK/takeover-a" "$WORK/takeover-b" "$WORK/takeover-out"; mkdir -p "$WORK/takeover-out"
  node node-a "$WORK/takeover-a" $((PORT + 45)); a_pid=$NODE_PID
  node node-b "$WORK/takeover-b" $((PORT + 46)); b_pid=$NODE_PID
  mkdir -p "$WORK/takeover-a/data/inbox/requests"
  printf '{"remotePath":"/big.bin","localPath":"big.bin","options":{"segments":4}}' \
    > "$WORK/takeover-a/data/inbox/requests/.big.json.tmp"
  mv "$WORK/takeover-a/data/inbox/requests/.big.json.tmp" "$WORK/takeover-a/data/inbox/requests/big.json"
  # half way on node A
  for _ in $(seq 1 1200); do
    have=$(part_blocks | awk '{ s += $2 } END { print s + 0 }')
    [ "$have" -ge $((SIZE / 2)) ] && break
    sleep 0.05
  done
  [ "$have" -ge $((SIZE / 2)) ] || die "node A's download did not get half way"
  left=$($PG -c "SELECT EXTRACT(EPOCH FROM (lease_until - CURRENT_TIMESTAMP)) FROM $SCHEMA.ferry_transfer")
  t_kill=$(now)
  kill -KILL "$a_pid"; wait "$a_pid" 2>/dev/null || true; forget "$a_pid"
  # What A wrote is in the page cache; its blocks are allocated at writeback (delayed allocation), which would look
  # like a write. sync first, then the part file's blocks grow only by B's writes.
  sync
  declare -A at_kill=()
  while read -r f b; do at_kill[$f]=$b; done < <(part_blocks)
  t_expiry=$(echo "$t_kill + $left" | bc -l)
  t_claim=""; t_first=""
  for _ in $(seq 1 $(( (LEASE + 60) * 20 ))); do
    if [ -z "$t_claim" ] && [ "$($PG -c "SELECT owner FROM $SCHEMA.ferry_transfer")" = "node-b" ]; then t_claim=$(now); fi
    if [ -z "$t_first" ] && [ -n "$t_claim" ]; then
      while read -r f b; do
        [ "$b" -gt "${at_kill[$f]:-0}" ] && { t_first=$(now); break; }
      done < <(part_blocks)
    fi
    [ -n "$t_first" ] && [ -n "$t_claim" ] && break
    sleep 0.02
  done
  [ -n "$t_first" ] || die "node B never wrote after the kill (see $WORK/takeover-b.log)"
  for _ in $(seq 1 1200); do [ -f "$WORK/takeover-out/big.bin" ] && break; sleep 0.1; done
  for _ in $(seq 1 100); do [ "$($PG -c "SELECT status FROM $SCHEMA.ferry_transfer")" = "PUBLISHED" ] && break; sleep 0.1; done
  same_file "$src/big.bin" "$WORK/takeover-out/big.bin"
  line=$(printf 'round %d: lease %d s, left at kill %.2f s, expiry->claim %d ms, expiry->first byte %d ms, kill->first byte %d ms' \
    "$r" "$LEASE" "$left" "$(ms "${t_claim:-$t_first} - $t_expiry")" "$(ms "$t_first - $t_expiry")" "$(ms "$t_first - $t_kill")")
  echo "$line"
  results+=("$(ms "$t_first - $t_expiry")")
  kill -TERM "$b_pid" 2>/dev/null || true; wait "$b_pid" 2>/dev/null || true; forget "$b_pid"
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "takeover (lease expiry -> first byte on the new owner), median of $ROUNDS: $median ms (lease $LEASE s, claim loop every lease/3)"
