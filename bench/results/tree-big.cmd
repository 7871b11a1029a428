bench/run.sh tree-big  # 2026-12-03T12:28:52Z, BENCH_ROUNDS=2, ferry at 926e6e4
