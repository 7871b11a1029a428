bench/run.sh tree-big  # 2026-12-03T19:37:54Z, BENCH_ROUNDS=3, ferry at 14ade1a
