bench/run.sh throttled-download  # 2026-11-22T05:17:39Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
