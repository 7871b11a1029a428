bench/run.sh startup  # 2026-12-03T19:40:06Z, BENCH_ROUNDS=3, ferry at 14ade1a-dirty
