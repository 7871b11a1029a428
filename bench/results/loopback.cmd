bench/run.sh loopback  # 2026-11-30T13:33:01Z, BENCH_ROUNDS=3, ferry at 48b36f4
