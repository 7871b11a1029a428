bench/run.sh throttled-download  # 2026-11-22T00:18:26Z, BENCH_ROUNDS=3, ferry at cdd64f6 (rate-aware stealing; before the merge of main)
