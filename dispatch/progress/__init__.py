"""Follow-up of an incident's relief: demand against what is planned, on the road and delivered, over time and
within the basic-living due time, and the shipments overdue."""
