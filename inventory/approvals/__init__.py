"""The approvals inbox: everything that waits for this user's signature, across the depots they act at.

Counts, scrap requests, transfers and rotation plans each need a second person; each feature lists what waits
at one depot, and this inbox gathers them for the person who may sign, oldest first.
"""
