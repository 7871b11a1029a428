bench/run.sh startup  # 2026-12-06T01:19:16Z, BENCH_ROUNDS=3, ferry at 6b27c95
