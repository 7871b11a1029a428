bench/run.sh startup  # 2026-12-05T14:17:21Z, BENCH_ROUNDS=5, ferry at 6fd426b
