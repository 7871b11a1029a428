bench/run.sh resume  # 2026-11-22T05:31:47Z, BENCH_ROUNDS=3, ferry at 7b20e55-dirty
