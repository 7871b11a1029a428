bench/run.sh memory  # 2026-11-30T13:37:22Z, BENCH_ROUNDS=3, ferry at 48b36f4
