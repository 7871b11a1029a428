bench/run.sh uneven  # 2026-11-22T00:43:20Z, BENCH_ROUNDS=3, ferry at e6f2e5a (before the merge of main)
