bench/run.sh uneven  # 2026-11-22T05:46:06Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
