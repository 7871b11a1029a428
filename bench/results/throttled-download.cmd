bench/run.sh throttled-download  # 2026-11-30T13:21:21Z, BENCH_ROUNDS=3, ferry at 48b36f4
