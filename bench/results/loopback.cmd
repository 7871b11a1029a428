bench/run.sh loopback  # 2026-11-22T03:02:13Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
