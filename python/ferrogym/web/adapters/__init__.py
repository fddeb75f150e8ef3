"""Seams to work that lands on other branches.

Each module here prefers the project's own API when it is importable and
otherwise uses a small self-contained fallback, so the dashboard works on
main as it is:

- :mod:`.policies` -> ``ferrogym.policies`` (heuristic dispatch policies)
- :mod:`.kpi` -> ``ferrogym.kpi`` (TicketRouting KPIs with t intervals)
- :mod:`.recordings` -> ``ferrogym.record`` (recorded runs)
"""
