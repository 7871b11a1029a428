bench/run.sh small-files  # 2026-11-30T15:15:45Z, BENCH_ROUNDS=3, ferry at d0c76f7
