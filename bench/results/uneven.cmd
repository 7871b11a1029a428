bench/run.sh uneven  # 2026-11-30T15:34:18Z, BENCH_ROUNDS=3, ferry at ea6406f
