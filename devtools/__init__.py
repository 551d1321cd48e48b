"""Tools for development, tests and benchmarks: never imported by the console or its commands in production."""
