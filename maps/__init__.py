"""Folium maps, static figures, report and file exports."""
