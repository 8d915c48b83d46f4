"""Incidents: what happened and where, the government responses and support requests, the affected areas."""
