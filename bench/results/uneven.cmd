bench/run.sh uneven  # 2026-11-22T01:22:47Z, BENCH_ROUNDS=3, ferry jar built at 71798a2 (the steal change was in the working tree when this started, committed as 71798a2 during the run)
