"""Benchmarks and research code: scenarios, CVRPLIB and MDVRP readers, reference solvers.

Run with ``python -m optimizer.bench``. Product code never imports this package; tests and benchmarks may.
"""
