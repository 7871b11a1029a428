bench/run.sh tree-small  # 2026-12-03T23:03:53Z, BENCH_ROUNDS=2, ferry at 59578a0
