bench/run.sh small-files  # 2026-11-30T15:51:55Z, BENCH_ROUNDS=3, ferry at d2049f5
