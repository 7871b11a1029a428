bench/run.sh loopback  # 2026-11-30T15:14:40Z, BENCH_ROUNDS=3, ferry at d0c76f7
