bench/run.sh small-files  # 2026-11-22T01:31:01Z, BENCH_ROUNDS=3, ferry at 2daf600-dirty
