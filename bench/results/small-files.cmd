bench/run.sh small-files  # 2026-12-04T00:22:20Z, BENCH_ROUNDS=2, ferry at c5cc12a-dirty
