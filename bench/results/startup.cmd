bench/run.sh startup  # 2026-11-22T05:17:22Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
