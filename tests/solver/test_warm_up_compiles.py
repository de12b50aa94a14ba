"""warm_up() compiles every kernel the search calls, so no search pays for it in its limit."""

from __future__ import annotations

from hjemmetjeneste.solver import lns


def test_warm_up_takes_the_greedy_fill_that_every_solve_starts_with(monkeypatch):
    """The fill places what the first plan leaves out (``cheapest_place``); a warm-up that
    skipped it left that kernel to compile inside the first search with breaks."""
    filled: list[int] = []
    original = lns._fill

    def counting(state, data):
        placed = original(state, data)
        filled.append(placed)
        return placed

    monkeypatch.setattr(lns, "_fill", counting)
    lns.warm_up.cache_clear()
    lns.warm_up()
    assert filled and filled[0] >= 1
    assert lns.kernels.cheapest_place.signatures
