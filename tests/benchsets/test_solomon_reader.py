"""The Solomon/Homberger reader: DIMACS integer distances, problem shape, published routes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hjemmetjeneste.benchsets import solomon
from hjemmetjeneste.solver import ViolationKind, check_solution
from violations import V, assert_violations


def test_reads_header_customers_and_family(tiny_data: Path):
    """Fleet, capacity and customer columns are read from a CRLF file; family from the name."""
    inst = solomon.read_solomon(tiny_data / "solomon/instances/TINY1.txt")
    assert (inst.name, inst.n_vehicles, inst.capacity, inst.n_customers) == ("TINY1", 3, 20, 4)
    assert inst.demand.tolist() == [0, 10, 10, 10, 5]
    assert inst.ready[4] == 50 and inst.due[4] == 90 and inst.service[1] == 10
    assert solomon.family_of("RC105") == "RC1" and solomon.family_of("c2_4_7") == "C2"
    assert solomon.family_of("R211") == "R2"


def test_distances_are_truncated_to_one_decimal_exactly():
    """⌊10·euclid⌋: 3-4-5 gives exactly 50, √2 gives 14 (not 15), √8 gives 28."""
    inst = solomon.VrptwInstance(
        "X", 1, 1, np.array([0.0, 3.0, 1.0, 2.0]), np.array([0.0, 4.0, 1.0, 2.0]),
        np.zeros(4, np.int64), np.zeros(4, np.int64), np.ones(4, np.int64), np.zeros(4, np.int64),
    )  # fmt: skip
    d = inst.scaled_distances()
    assert d[0, 1] == 50 and d[0, 2] == 14 and d[0, 3] == 28
    assert (d == d.T).all() and (np.diag(d) == 0).all()


def test_problem_scales_times_and_keeps_the_fleet(tiny_data: Path):
    """Windows, service and the depot horizon are ×10; one vehicle per file vehicle."""
    inst = solomon.read_solomon(tiny_data / "solomon/instances/TINY1.txt")
    problem = solomon.to_problem(inst)
    assert problem.n_vehicles == 3 and problem.n_nodes == 5
    assert problem.window_start_s[4] == 500 and problem.window_end_s[4] == 900
    assert problem.service_s[1] == 100 and problem.vehicle_end_s.tolist() == [5000] * 3
    assert problem.travel_s[0][0, 1] == 50 and solomon.to_problem(inst, 2).n_vehicles == 2
    assert problem.demand.tolist() == [0, 10, 10, 10, 5]
    assert problem.vehicle_capacity.tolist() == [20] * 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("X\nVEHICLE\n3\nCUSTOMER\n0 0 0 0 0 9 0\n", "NUMBER and CAPACITY"),
        ("X\nVEHICLE\n3 20\nCUSTOMER\n0 0 0 0 0 9 0\n1 1 1 1 1 1\n", "line 6: a customer row"),
        ("X\nVEHICLE\n3 20\nCUSTOMER\n0 0 0 0 0 9 0\n2 1 1 1 1 5 1\n", "CUST NO. 2"),
        ("X\nVEHICLE\n3 20\nCUSTOMER\n0 0 0 0 0 9 0\n1 1 1 1 5 1 1\n", "DUE DATE 1 before"),
        ("X\nVEHICLE\n3 20\nCUSTOMER\n0 0 0 0 0 9 0\n1 1 x 1 5 1 1\n", "not a number"),
    ],
)
def test_bad_files_name_file_line_and_field(tmp_path: Path, text: str, message: str):
    """Malformed input raises SolomonFormatError naming the file and what is wrong."""
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(solomon.SolomonFormatError, match=message) as info:
        solomon.read_solomon(path)
    assert "bad.txt" in str(info.value)


def test_capacity_violations_only_when_a_route_overloads(tiny_data: Path):
    """Three 10-unit customers on one 20-unit vehicle overload it; split over two they fit."""
    inst = solomon.read_solomon(tiny_data / "solomon/instances/TINY1.txt")
    problem = solomon.to_problem(inst)
    over = solomon.solution_from_routes(problem, [[1, 2, 3]])
    fine = solomon.solution_from_routes(problem, [[1, 2], [3, 4]])
    assert len(solomon.capacity_violations(inst, over)) == 1
    assert solomon.capacity_violations(inst, fine) == []
    # Vehicle 0 carries 30 units on a 20-unit vehicle (customer 4 is left dropped).
    assert_violations(
        check_solution(problem, over), V(ViolationKind.CAPACITY_EXCEEDED, 0, None, 0, 30, 20)
    )
    assert check_solution(problem, fine) == []
    assert fine.dropped == () and over.dropped == (4,)


def test_replayed_routes_cost_their_distance(tiny_data: Path):
    """A replayed route's objective is its scaled distance: 0→1→2→0 = 50 + 50 + 100."""
    inst = solomon.read_solomon(tiny_data / "solomon/instances/TINY1.txt")
    problem = solomon.to_problem(inst)
    sol = solomon.solution_from_routes(problem, [[1, 2]])
    assert sol.objective == 200 == solomon.route_distance(problem, sol)


def test_published_dimacs_solutions_pass_the_checker(shared_benchmarks: Path):
    """Published optima replayed on our problem: checker-clean, capacity kept, cost = Cost."""
    for name in ("C101", "R201", "RC105"):
        inst = solomon.read_solomon(shared_benchmarks / f"solomon/instances/{name}.txt")
        problem = solomon.to_problem(inst)
        routes, cost = solomon.read_routes(shared_benchmarks / f"solomon/bks_dimacs/{name}.sol")
        sol = solomon.solution_from_routes(problem, routes)
        assert check_solution(problem, sol) == []
        assert solomon.capacity_violations(inst, sol) == []
        assert cost is not None and sol.objective == round(cost * solomon.SCALE)


def test_a_route_late_against_the_window_fails_the_checker(shared_benchmarks: Path):
    """Reversing a published route of C101 breaks its windows: the checker reports it."""
    inst = solomon.read_solomon(shared_benchmarks / "solomon/instances/C101.txt")
    problem = solomon.to_problem(inst)
    routes, _ = solomon.read_routes(shared_benchmarks / "solomon/bks_dimacs/C101.sol")
    routes[0] = routes[0][::-1]
    assert check_solution(problem, solomon.solution_from_routes(problem, routes)) != []
