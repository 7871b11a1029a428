bench/run.sh tree-small  # 2026-12-03T12:30:49Z, BENCH_ROUNDS=2, ferry at 926e6e4
