"""The fleet and the transport modes: depots' vehicles, vehicles requisitioned for an incident, rail and air."""
