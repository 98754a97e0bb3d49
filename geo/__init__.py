"""Spatial input/output, CRS, walking network, travel times, service areas, accessibility."""
