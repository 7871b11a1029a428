bench/run.sh small-files  # 2026-11-30T13:33:44Z, BENCH_ROUNDS=3, ferry at 48b36f4
