"""Throughput, latency percentiles and statuses of a load run, measured by the clients."""
from __future__ import annotations

import os
from statistics import quantiles

from tests.load.clerks import Log


def summarize(log: Log, seconds: float) -> dict:
    """Figures of one run: every HTTP exchange counts, retries and replays too."""
    latencies = sorted(attempt.seconds * 1000 for attempt in log.attempts)
    cuts = quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    statuses = log.statuses()
    committed = sum(1 for outcome in log.outcomes if outcome.status < 300)
    return {
        "seconds": round(seconds, 1),
        "requests": len(log.attempts),
        "requests_per_second": round(len(log.attempts) / seconds, 1),
        "writes_committed_per_second": round(committed / seconds, 1),
        "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "p99_ms": round(cuts[98], 1),
        "statuses": {str(status): count for status, count in sorted(statuses.items(), key=lambda kv: str(kv[0]))},
        "server_errors": sum(count for status, count in statuses.items() if isinstance(status, int) and status >= 500),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def describe(figures: dict) -> str:
    return (f"{figures['requests']} requests in {figures['seconds']} s: {figures['requests_per_second']} requests/s, "
            f"{figures['writes_committed_per_second']} committed writes/s; latency p50 {figures['p50_ms']} ms, "
            f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms; statuses {figures['statuses']}")
