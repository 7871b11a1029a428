bench/run.sh small-files  # 2026-11-22T02:45:19Z, BENCH_ROUNDS=3, ferry at ad33941-dirty
