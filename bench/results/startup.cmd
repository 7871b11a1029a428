bench/run.sh startup  # 2026-11-22T03:00:54Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
