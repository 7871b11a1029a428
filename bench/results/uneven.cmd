bench/run.sh uneven  # 2026-11-30T15:20:10Z, BENCH_ROUNDS=3, ferry at d0c76f7
