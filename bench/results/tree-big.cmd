bench/run.sh tree-big  # 2026-12-04T15:53:46Z, BENCH_ROUNDS=3, ferry at b513631
