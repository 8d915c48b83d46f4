"""Plans: what goes from which source to which area, by which mode, when it arrives, what stays unmet and why."""
