bench/run.sh throttled-download  # 2026-11-30T15:03:41Z, BENCH_ROUNDS=3, ferry at d0c76f7
