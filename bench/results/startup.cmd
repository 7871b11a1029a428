bench/run.sh startup  # 2026-11-30T13:21:10Z, BENCH_ROUNDS=3, ferry at 48b36f4
