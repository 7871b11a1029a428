bench/run.sh small-files  # 2026-12-03T16:37:54Z, BENCH_ROUNDS=3, ferry at d3126cc
