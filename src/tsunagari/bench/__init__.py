"""`tsunagari bench`: measure the registry beside Datasette, sqlite-utils and networkx (issue 7).

Not a test: its figures go to BENCHMARKS.md and never into an assertion.
"""
