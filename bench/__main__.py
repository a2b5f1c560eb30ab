"""`python -m bench` (`make bench`): every benchmark with its defaults, SQLite only unless
KWALITEIT_BENCH_PG_URL names a PostgreSQL database for the import benchmark."""
from bench import import_bench, results_bench

results_bench.main([])
print()
import_bench.main([])
