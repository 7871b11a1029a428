bench/run.sh small-files-whole  # 2026-12-03T09:51:49Z, BENCH_ROUNDS=1, ferry at 963c862 (tree dirty in bench/results only)
