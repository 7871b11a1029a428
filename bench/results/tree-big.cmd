bench/run.sh tree-big  # 2026-12-03T16:58:49Z, BENCH_ROUNDS=3, ferry at d3126cc-dirty
