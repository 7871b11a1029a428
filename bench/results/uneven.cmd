bench/run.sh uneven  # 2026-11-30T13:37:47Z, BENCH_ROUNDS=3, ferry at 48b36f4
