bench/run.sh startup  # 2026-12-05T07:07:13Z, BENCH_ROUNDS=5, ferry at b868e60-dirty
