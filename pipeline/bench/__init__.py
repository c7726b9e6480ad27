"""Benchmarks and test support, not a pipeline stage: MT backends (:mod:`.mt`), alignment speed
(:mod:`.align`), and the tiny random-weight MarianMT model the tests and benchmarks build
(:mod:`.random_model`)."""
