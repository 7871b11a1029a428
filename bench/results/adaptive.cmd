bench/run.sh adaptive  # 2026-12-04T14:52:34Z, BENCH_ROUNDS=3, ferry at 4eecf73
