bench/run.sh startup  # 2026-12-05T21:58:34Z, BENCH_ROUNDS=3, ferry at 8c98194
