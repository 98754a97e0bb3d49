"""MILP siting models and their solving; arrays in, choices out (no policies, no files)."""
