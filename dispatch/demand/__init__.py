"""Demand: per-person norms, relief deadlines per province, and the versioned demand table of an incident."""
