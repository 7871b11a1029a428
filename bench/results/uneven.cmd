bench/run.sh uneven  # 2026-11-22T03:06:33Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
