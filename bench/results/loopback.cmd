bench/run.sh loopback  # 2026-11-22T01:04:18Z, BENCH_ROUNDS=3, ferry at 7947770 (engine; -dirty: uncommitted bench/ files only)
