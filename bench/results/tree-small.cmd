BENCH_TREE_SMALL="2000 10240" bench/run.sh tree-small  # 2026-12-03T11:49:35Z, BENCH_ROUNDS=1, ferry at c47a7b0
