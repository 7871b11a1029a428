bench/run.sh memory  # 2026-11-22T05:32:51Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
