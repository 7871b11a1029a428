bench/run.sh resume  # 2026-11-30T15:18:42Z, BENCH_ROUNDS=3, ferry at d0c76f7
