BENCH_ROUNDS=3 BENCH_TREE_SMALL="3000 10240" bench/run.sh tree-small  # 2026-12-03T09:48:58Z, ferry at 60e04fc (branch trees2); stopped after round 2
