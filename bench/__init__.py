"""Performance benchmark: synthetic content at 1x/10x/100x and a load run against the real server.

`python -m bench.generate` writes scaled content; `python -m bench.run` measures. See docs/benchmarks.md.
"""
