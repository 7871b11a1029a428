bench/run.sh throttled-upload  # 2026-11-30T13:26:00Z, BENCH_ROUNDS=3, ferry at 48b36f4
