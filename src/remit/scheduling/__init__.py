"""Appointments, availability and the series/clinic planner.

No re-exports here: Django imports this package for every command, and the planner pulls in
ortools and pandas (~250 ms), which only planning needs. Import from the submodules.
"""
