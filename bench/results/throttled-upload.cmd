bench/run.sh throttled-upload  # 2026-11-22T05:22:24Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
