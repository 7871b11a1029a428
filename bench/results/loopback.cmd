bench/run.sh loopback  # 2026-11-22T05:29:32Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
