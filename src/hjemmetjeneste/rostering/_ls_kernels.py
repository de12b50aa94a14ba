"""Numba kernels of the roster local search (see :mod:`hjemmetjeneste.rostering.local`).

State: ``a[e, d]`` is the value of employee e on day d, 0 = off and t + 1 = shift type t.
The cost of a roster is ``HARD`` × the hard-rule violations of every row (see
:func:`row_cost`) plus the request penalties of every cell plus the cover penalty of every
(day, shift). A move changes one or two rows over a block of days; its delta is the cover
change of the changed cells (counts kept per (day, shift)) plus the rows' costs computed
again (O(days) each). Simulated annealing accepts or reverts it.

Moves (:func:`propose`, drawn in the proportions of ``mix``): one employee's block of 1–4
days set to one value (off or a shift); two employees swap a block of 1–7 days (cover
unchanged; requests and rules change); one employee swaps two blocks of 1–3 days (hours
unchanged); one employee's 2–9 days rotated by one (a run of work moves a day); two employees
swap two separate blocks that give the minutes back (:func:`double_swap`: cover and both
totals unchanged); a short cover row filled, the person leaving a shift elsewhere
(:func:`fill_gap`: the gap is closed or moves).
"""

from __future__ import annotations

import numpy as np

from hjemmetjeneste._numba import njit


@njit(cache=True)
def seed_random(seed: int) -> None:
    """Seed numba's random generator (separate from numpy's in the interpreter)."""
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def row_cost(
    row: np.ndarray,
    e: int,
    rules: tuple,
    minute_unit: int,
    counts: np.ndarray,
) -> tuple[int, int]:
    """(hard violations, request penalty) of employee e's row; ``counts`` is scratch space
    of one entry per value (overwritten; the annealing prices two rows a move and passes
    the same array rather than allocating one each time).

    Violations count units: one per forbidden succession, per shift over a type's maximum,
    per ``minute_unit`` (rounded up) outside the total minutes, per day over the longest run,
    per day short of a minimum run not touching the horizon's edge, per weekend over the
    maximum. ``rules`` is :meth:`hjemmetjeneste.rostering.local.Arrays.rules`.
    """
    (
        length,
        forbid,
        max_shifts,
        min_total,
        max_total,
        max_cons,
        min_cons,
        min_off,
        max_we,
        weekends,
        pen,
    ) = rules
    n_d = row.shape[0]
    n_v = length.shape[0]
    counts[:] = 0
    viol = 0
    penalty = 0
    minutes = 0
    for d in range(n_d):
        v = row[d]
        counts[v] += 1
        minutes += length[v]
        penalty += pen[e, d, v]
        if d > 0 and forbid[row[d - 1], v]:
            viol += 1
    for v in range(1, n_v):
        if counts[v] > max_shifts[e, v]:
            viol += counts[v] - max_shifts[e, v]
    if minutes < min_total[e]:
        viol += (min_total[e] - minutes + minute_unit - 1) // minute_unit
    elif minutes > max_total[e]:
        viol += (minutes - max_total[e] + minute_unit - 1) // minute_unit
    start = 0
    for d in range(1, n_d + 1):
        if d < n_d and (row[d] > 0) == (row[start] > 0):
            continue
        run = d - start
        inner = start > 0 and d < n_d
        if row[start] > 0:
            if run > max_cons[e]:
                viol += run - max_cons[e]
            if inner and run < min_cons[e]:
                viol += min_cons[e] - run
        elif inner and run < min_off[e]:
            viol += min_off[e] - run
        start = d
    worked = 0
    for k in range(weekends.shape[0]):
        for j in range(weekends.shape[1]):
            day = weekends[k, j]
            if day >= 0 and row[day] > 0:
                worked += 1
                break
    if worked > max_we[e]:
        viol += worked - max_we[e]
    return viol, penalty


@njit(cache=True, nogil=True, inline="always")
def cover_cost(count: int, req: int, under: int, over: int) -> int:
    """The penalty of one cover row holding ``count`` people."""
    if count < req:
        return (req - count) * under
    return (count - req) * over


@njit(cache=True, nogil=True, inline="always")
def block_start(anchor: int, span: int, n_d: int) -> int:
    """A random first day of a block of ``span`` days: one holding ``anchor`` when it is a
    day (>= 0), anywhere otherwise."""
    if anchor < 0:
        return np.random.randint(0, n_d - span + 1)
    first = anchor - np.random.randint(0, span)
    return min(max(first, 0), n_d - span)


@njit(cache=True, nogil=True, inline="always")
def swap_block(a: np.ndarray, e0: int, e1: int, first: int, span: int) -> None:
    """Employees e0 and e1 exchange their values on ``span`` days from ``first``."""
    for d in range(first, first + span):
        a[e0, d], a[e1, d] = a[e1, d], a[e0, d]


@njit(cache=True, nogil=True)
def double_swap(
    a: np.ndarray,
    cells: np.ndarray,
    rows: np.ndarray,
    e0: int,
    anchor: int,
    rules: tuple,
    allowed: np.ndarray,
    hard: int,
    minute_unit: int,
    scratch: np.ndarray,
    tries: int,
) -> tuple[int, int]:
    """Employees e0 and a random e1 swap their values on a block of 1–3 days (holding
    ``anchor`` when it is a day) and on a second block of as many days that gives the
    minutes back: shifts pass from one to the other and back, so neither one's total changes
    (one block swap breaks the totals whenever they differ) and no cover count does.

    The second block is the cheapest for the two rows of ``tries`` drawn among those that
    give the minutes back (1: a uniform draw): most of them break a stretch rule, and
    pricing a few rows here is cheaper than proposing the move again."""
    length = rules[0]
    n_e, n_d = a.shape
    span = np.random.randint(1, 4)
    if n_e < 2 or 2 * span > n_d:
        return 0, 0
    e1 = np.random.randint(0, n_e - 1)
    if e1 >= e0:
        e1 += 1
    d1 = block_start(anchor, span, n_d)
    gain = 0  # e0's minutes gained by swapping the first block
    differ = False
    for d in range(d1, d1 + span):
        if not (allowed[e0, d, a[e1, d]] and allowed[e1, d, a[e0, d]]):
            return 0, 0
        gain += length[a[e1, d]] - length[a[e0, d]]
        differ = differ or a[e0, d] != a[e1, d]
    if not differ:
        return 0, 0
    found = np.empty(n_d, np.int64)
    n_found = 0
    for first in range(n_d - span + 1):
        if abs(first - d1) < span:
            continue
        back = 0
        differ = False
        ok = True
        for d in range(first, first + span):
            ok = ok and allowed[e0, d, a[e1, d]] and allowed[e1, d, a[e0, d]]
            back += length[a[e1, d]] - length[a[e0, d]]
            differ = differ or a[e0, d] != a[e1, d]
        if ok and differ and back == -gain:
            found[n_found] = first
            n_found += 1
    if n_found == 0:
        return 0, 0
    d2 = found[np.random.randint(0, n_found)]
    if tries > 1 and n_found > 1:
        swap_block(a, e0, e1, d1, span)
        best = -1
        for _ in range(tries):
            first = found[np.random.randint(0, n_found)]
            swap_block(a, e0, e1, first, span)
            v0, p0 = row_cost(a[e0], e0, rules, minute_unit, scratch)
            v1, p1 = row_cost(a[e1], e1, rules, minute_unit, scratch)
            swap_block(a, e0, e1, first, span)
            cost = hard * (v0 + v1) + p0 + p1
            if best < 0 or cost < best:
                best, d2 = cost, first
        swap_block(a, e0, e1, d1, span)
    rows[0], rows[1] = e0, e1
    n = 0
    for first in (d1, d2):
        for d in range(first, first + span):
            cells[n, 0], cells[n, 1], cells[n, 2] = e0, d, a[e1, d]
            cells[n + 1, 0], cells[n + 1, 1], cells[n + 1, 2] = e1, d, a[e0, d]
            n += 2
    return n, 2


GAP_SCAN = 512
"""Cover rows :func:`fill_gap` reads at most: all of them up to this many (Curtois & Qu 1–12:
at most 28 days × 10 shift types), otherwise this many drawn at random (Instance24: 364
days × 32 types)."""


@njit(cache=True, nogil=True)
def fill_gap(
    a: np.ndarray,
    cells: np.ndarray,
    rows: np.ndarray,
    length: np.ndarray,
    counts: np.ndarray,
    req: np.ndarray,
    allowed: np.ndarray,
) -> tuple[int, int]:
    """A cover row short of people (drawn uniformly) gets one: an employee who may work it
    and does not (drawn uniformly) takes it; half of the time, when that gives them a shift
    more, they leave one of as many minutes on another day, an over-covered one where they
    have it. The gap is filled or moves to another day at no cost in hours: a chain of such
    moves carries it to a person who can take it."""
    n_e, n_d = a.shape
    n_v = req.shape[1]
    seen = 0
    d, v = -1, -1
    if n_d * (n_v - 1) <= GAP_SCAN:
        for dd in range(n_d):
            for vv in range(1, n_v):
                if counts[dd, vv] < req[dd, vv]:
                    seen += 1
                    if np.random.randint(0, seen) == 0:
                        d, v = dd, vv
    else:  # long horizons, many shift types: probe rows at random rather than read them all
        for _ in range(GAP_SCAN):
            dd, vv = np.random.randint(0, n_d), np.random.randint(1, n_v)
            if counts[dd, vv] < req[dd, vv]:
                d, v = dd, vv
                break
    if d < 0:
        return 0, 0
    seen = 0
    e = -1
    for ee in range(n_e):
        if a[ee, d] != v and allowed[ee, d, v]:
            seen += 1
            if np.random.randint(0, seen) == 0:
                e = ee
    if e < 0:
        return 0, 0
    rows[0] = e
    cells[0, 0], cells[0, 1], cells[0, 2] = e, d, v
    if a[e, d] > 0 or np.random.random() < 0.5:
        return 1, 1
    seen, best_over = 0, False
    d2 = -1
    for dd in range(n_d):
        w = a[e, dd]
        if dd == d or w == 0 or length[w] != length[v]:
            continue
        over = counts[dd, w] > req[dd, w]
        if over and not best_over:  # the first over-covered day: start the draw again
            seen, best_over = 0, True
        if over == best_over:
            seen += 1
            if np.random.randint(0, seen) == 0:
                d2 = dd
    if d2 < 0:
        return 1, 1
    cells[1, 0], cells[1, 1], cells[1, 2] = e, d2, 0
    return 2, 1


@njit(cache=True, nogil=True)
def propose(
    a: np.ndarray,
    cells: np.ndarray,
    rows: np.ndarray,
    n_v: int,
    focus: np.ndarray,
    focus_share: float,
    mix: np.ndarray,
    counts: np.ndarray,
    req: np.ndarray,
    allowed: np.ndarray,
    rules: tuple,
    hard: int,
    minute_unit: int,
    scratch: np.ndarray,
    tries: int,
) -> tuple[int, int]:
    """Draw one move: fills ``cells[i] = (employee, day, new value)`` and ``rows`` with the
    one or two employees it changes; returns (cells used, rows used). A ``focus_share`` of
    the moves touch one of the ``focus`` cells (employee, day): the requests."""
    n_e, n_d = a.shape
    length = rules[0]
    draw = np.random.random() * mix[-1]
    kind = 0
    while draw >= mix[kind] and kind < mix.shape[0] - 1:
        kind += 1
    e0 = np.random.randint(0, n_e)
    anchor = -1
    if focus.shape[0] > 0 and np.random.random() < focus_share:
        i = np.random.randint(0, focus.shape[0])
        e0, anchor = focus[i, 0], focus[i, 1]
    rows[0] = e0
    if kind == 0:  # a block set to one value
        span = np.random.randint(1, min(4, n_d) + 1)
        first = block_start(anchor, span, n_d)
        value = np.random.randint(0, n_v)
        for i in range(span):
            cells[i, 0], cells[i, 1], cells[i, 2] = e0, first + i, value
        return span, 1
    if kind == 1:  # two employees swap a block
        if n_e < 2:
            return 0, 0
        e1 = np.random.randint(0, n_e - 1)
        if e1 >= e0:
            e1 += 1
        rows[1] = e1
        span = np.random.randint(1, min(7, n_d) + 1)
        first = block_start(anchor, span, n_d)
        for i in range(span):
            d = first + i
            cells[2 * i, 0], cells[2 * i, 1], cells[2 * i, 2] = e0, d, a[e1, d]
            cells[2 * i + 1, 0], cells[2 * i + 1, 1], cells[2 * i + 1, 2] = e1, d, a[e0, d]
        return 2 * span, 2
    if kind == 4:  # two employees swap two separate blocks: the hours of both kept
        return double_swap(
            a, cells, rows, e0, anchor, rules, allowed, hard, minute_unit, scratch, tries
        )
    if kind == 5:  # a cover row short of people gets one
        return fill_gap(a, cells, rows, length, counts, req, allowed)
    if kind == 2:  # one employee swaps two blocks of days
        span = np.random.randint(1, 4)
        if 2 * span > n_d:
            return 0, 0
        d1 = block_start(anchor, span, n_d)
        d2 = np.random.randint(0, n_d - span + 1)
        if abs(d1 - d2) < span:
            return 0, 0
        for i in range(span):
            cells[2 * i, 0], cells[2 * i, 1], cells[2 * i, 2] = e0, d1 + i, a[e0, d2 + i]
            cells[2 * i + 1, 0], cells[2 * i + 1, 1] = e0, d2 + i
            cells[2 * i + 1, 2] = a[e0, d1 + i]
        return 2 * span, 1
    # one employee's days rotated by one: a run of work moves a day earlier or later
    span = np.random.randint(2, min(9, n_d) + 1)
    first = block_start(anchor, span, n_d)
    step = 1 if np.random.randint(0, 2) else span - 1
    for i in range(span):
        cells[i, 0], cells[i, 1] = e0, first + i
        cells[i, 2] = a[e0, first + (i + step) % span]
    return span, 1


@njit(cache=True, nogil=True)
def anneal(
    a: np.ndarray,
    counts: np.ndarray,
    row_viol: np.ndarray,
    row_pen: np.ndarray,
    best: np.ndarray,
    state: np.ndarray,
    allowed: np.ndarray,
    rules: tuple,
    focus: np.ndarray,
    focus_share: float,
    mix: np.ndarray,
    tries: int,
    req: np.ndarray,
    under: np.ndarray,
    over: np.ndarray,
    hard: int,
    minute_unit: int,
    iterations: int,
    t_start: float,
    t_end: float,
) -> int:
    """``iterations`` annealing moves on ``a`` (updated in place with ``counts``, ``row_viol``
    and ``row_pen``), the temperature falling geometrically from ``t_start`` to ``t_end``.

    ``state`` holds [current cost, best feasible cost]; ``best`` receives every new best
    roster with no violation. Returns the number of moves accepted.
    """
    n_e, n_d = a.shape
    n_v = rules[0].shape[0]
    cells = np.empty((2 * n_d, 3), np.int64)
    old = np.empty(2 * n_d, np.int64)
    rows = np.empty(2, np.int64)
    new_viol = np.empty(2, np.int64)
    new_pen = np.empty(2, np.int64)
    scratch = np.empty(n_v, np.int64)
    cost = state[0]
    viol_total = 0
    for e in range(n_e):
        viol_total += row_viol[e]
    accepted = 0
    ratio = (t_end / t_start) ** (1.0 / max(1, iterations))
    temp = t_start
    for _ in range(iterations):
        temp *= ratio
        n_cells, n_rows = propose(
            a,
            cells,
            rows,
            n_v,
            focus,
            focus_share,
            mix,
            counts,
            req,
            allowed,
            rules,
            hard,
            minute_unit,
            scratch,
            tries,
        )
        ok = n_cells > 0
        changes = False
        for i in range(n_cells):
            e, d, v = cells[i, 0], cells[i, 1], cells[i, 2]
            if not allowed[e, d, v]:
                ok = False
                break
            if a[e, d] != v:
                changes = True
        if not ok or not changes:
            continue
        delta = 0
        for i in range(n_cells):
            e, d, nv = cells[i, 0], cells[i, 1], cells[i, 2]
            ov = a[e, d]
            old[i] = ov
            if ov == nv:
                continue
            if ov > 0:
                c = counts[d, ov]
                delta += cover_cost(c - 1, req[d, ov], under[d, ov], over[d, ov])
                delta -= cover_cost(c, req[d, ov], under[d, ov], over[d, ov])
                counts[d, ov] = c - 1
            if nv > 0:
                c = counts[d, nv]
                delta += cover_cost(c + 1, req[d, nv], under[d, nv], over[d, nv])
                delta -= cover_cost(c, req[d, nv], under[d, nv], over[d, nv])
                counts[d, nv] = c + 1
            a[e, d] = nv
        for i in range(n_rows):
            e = rows[i]
            v, p = row_cost(a[e], e, rules, minute_unit, scratch)
            new_viol[i] = v
            new_pen[i] = p
            delta += hard * (v - row_viol[e]) + p - row_pen[e]
        if delta <= 0 or np.random.random() < np.exp(-delta / temp):
            cost += delta
            accepted += 1
            for i in range(n_rows):
                viol_total += new_viol[i] - row_viol[rows[i]]
                row_viol[rows[i]] = new_viol[i]
                row_pen[rows[i]] = new_pen[i]
            if viol_total == 0 and cost < state[1]:
                state[1] = cost
                best[:, :] = a
        else:
            for i in range(n_cells - 1, -1, -1):  # in reverse: a cell may repeat
                e, d, ov = cells[i, 0], cells[i, 1], old[i]
                nv = a[e, d]
                if ov != nv:
                    if nv > 0:
                        counts[d, nv] -= 1
                    if ov > 0:
                        counts[d, ov] += 1
                    a[e, d] = ov
    state[0] = cost
    return accepted
