bench/run.sh small-files  # 2026-11-22T05:41:09Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
