bench/run.sh tree-big  # 2026-12-06T14:42:39Z, BENCH_ROUNDS=3, ferry at 499e5a4
