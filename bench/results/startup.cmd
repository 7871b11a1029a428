bench/run.sh startup  # 2026-11-30T15:03:28Z, BENCH_ROUNDS=3, ferry at d0c76f7
