bench/run.sh tree-big  # 2026-12-05T14:17:36Z, BENCH_ROUNDS=3, ferry at 6fd426b-dirty
