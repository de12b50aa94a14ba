"""Rostering (vaktplan/turnus): staffing need from the care plans, CP-SAT rosters, a checker.

- :mod:`problem` — the index-based roster problem shared with the benchmark reader;
- :mod:`cpsat` — the CP-SAT model (the only module here that imports OR-Tools);
- :mod:`roster` — contracts, staffing need and the Act's rules -> problem -> ``Roster``;
- :mod:`check` — an independent plain-Python checker of every rule;
- :mod:`staffing` — the caregivers each shift needs, found with the routing solver.
"""
