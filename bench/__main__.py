"""`python -m bench` (`make bench`): the benchmark (bench.run) at partnership size on SQLite and
PostgreSQL (the database `bench` on 127.0.0.1, or KWALITEIT_BENCH_PG_URL), with its defaults.
Arguments are passed on: `python -m bench --size region --repeat 20`."""
import sys

from bench import run

run.main(sys.argv[1:])
