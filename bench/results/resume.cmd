bench/run.sh resume  # 2026-11-30T13:36:23Z, BENCH_ROUNDS=3, ferry at 48b36f4
