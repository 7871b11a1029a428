bench/run.sh resume  # 2026-11-30T15:33:16Z, BENCH_ROUNDS=3, ferry at ea6406f
