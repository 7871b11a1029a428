bench/run.sh memory  # 2026-11-22T03:05:57Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
