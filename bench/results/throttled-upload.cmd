bench/run.sh throttled-upload  # 2026-11-30T15:07:36Z, BENCH_ROUNDS=3, ferry at d0c76f7
