bench/run.sh tree-big  # 2026-12-05T07:03:39Z, BENCH_ROUNDS=3, ferry at b868e60
