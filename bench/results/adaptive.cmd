bench/run.sh adaptive  # 2026-12-03T08:58:37Z, BENCH_ROUNDS=3, ferry at a9a6c8c
