bench/run.sh loopback  # 2026-11-30T13:14:11Z, BENCH_ROUNDS=3, ferry at b92f296-dirty
