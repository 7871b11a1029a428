bench/run.sh throttled-download  # 2026-11-30T15:28:36Z, BENCH_ROUNDS=3, ferry at ea6406f
