bench/run.sh tree-big  # 2026-12-06T01:19:40Z, BENCH_ROUNDS=3, ferry at 6b27c95
