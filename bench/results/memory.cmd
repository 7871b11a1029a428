bench/run.sh memory  # 2026-11-30T15:19:34Z, BENCH_ROUNDS=3, ferry at d0c76f7
