"""The overview map: depots by level, active incidents and their areas."""
