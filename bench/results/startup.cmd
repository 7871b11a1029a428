bench/run.sh startup  # 2026-12-03T16:37:13Z, BENCH_ROUNDS=3, ferry at d3126cc
