bench/run.sh resume  # 2026-11-22T03:04:51Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
