bench/run.sh loopback  # 2026-11-30T15:26:53Z, BENCH_ROUNDS=3, ferry at 3d59756
