BENCH_ROUNDS=3 bench/run.sh tree-big  # 2026-12-03T09:38:26Z, ferry at 60e04fc (branch trees2)
