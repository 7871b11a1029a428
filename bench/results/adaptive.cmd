bench/run.sh adaptive  # 2026-12-04T12:17:05Z, BENCH_ROUNDS=3, ferry at 0e27ee9-dirty
