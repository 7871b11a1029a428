bench/run.sh tree-big  # 2026-12-05T22:03:20Z, BENCH_ROUNDS=3, ferry at 8c98194-dirty
