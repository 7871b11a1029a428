bench/run.sh tree-big  # 2026-12-05T09:42:41Z, BENCH_ROUNDS=3, ferry at a47a074-dirty
