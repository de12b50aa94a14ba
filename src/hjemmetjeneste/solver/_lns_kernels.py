"""Numba kernels of the ruin-and-recreate search (see :mod:`hjemmetjeneste.solver.lns`).

SISR after Christiaens & Vanden Berghe (2020), "Slack Induction by String Removals for
Vehicle Routing Problems", Transportation Science 54(2): each iteration removes a few strings
of consecutive jobs from routes near a random job (ruin), puts every removed or unserved job
back at its cheapest feasible place, skipping each place with a small "blink" probability
(recreate), and keeps the result by simulated annealing.

State of a solution (v vehicles, L slots per route):
    routes[v, L]  job nodes in visiting order, the first ``length[v]`` slots used;
    early[v, L]   earliest start of service at each stop (leaving the depot at shift start);
    late[v, L]    latest start of service at each stop that keeps the rest of the route in time;
    load[v], cost[v]  summed demand, arc cost + preference cost (an empty route costs 0);
    where[n], slot[n] the route and slot of each served node, -1 when unserved.
With ``early`` and ``late`` a job fits between two stops in O(1): it must start within its
window, and the next stop must still be reachable by its latest start.

Rules where O(1) slack no longer holds (breaks, several windows per job, lateness after a
soft window end, overtime after a soft shift end: ``rich``, with their data in the tuple
``rx``) are judged by a schedule pass over the route (:func:`route_pass`); the O(1) test
stays in front of it as a necessary condition.

Callers validate the data (see :func:`hjemmetjeneste.solver.lns.supports`); kernels trust it.
numba comes from :mod:`hjemmetjeneste._numba` (the cache directory is settled there).
"""

from __future__ import annotations

import numpy as np

from hjemmetjeneste._numba import njit

INFEASIBLE = np.iinfo(np.int64).max
"""Cost the insertion kernel returns for a place the job cannot take."""

MAX_STRING = 10
"""L_max of the paper: the longest string one ruin removes from a route."""

MEAN_REMOVED = 10
"""c̄ of the paper: the average number of jobs one ruin removes."""

BLINK = 0.01
"""β of the paper: the chance that recreate skips a place while looking for the cheapest."""

UNSERVED_TRIED = 20
"""Unserved jobs recreate tries to place per iteration besides the removed ones, drawn at
random when there are more: on an overbooked day (1,638 jobs, 460 unserved) trying every one
of them each time left the search about 40 iterations a second."""


@njit(cache=True)
def seed_random(seed: int) -> None:
    """Seed numba's random generator (separate from numpy's in the interpreter)."""
    np.random.seed(seed)


@njit(cache=True)
def refresh_route(
    v: int,
    routes: np.ndarray,
    length: np.ndarray,
    early: np.ndarray,
    late: np.ndarray,
    load: np.ndarray,
    cost: np.ndarray,
    where: np.ndarray,
    slot: np.ndarray,
    travel: np.ndarray,
    preference: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
    vopen: np.ndarray,
    vclose: np.ndarray,
    win_open: np.ndarray,
    win_close: np.ndarray,
    service: np.ndarray,
    demand: np.ndarray,
    rich: bool,
    rx: tuple,
) -> bool:
    """Recompute the schedule, load and cost of route ``v``; True when it is feasible.

    With ``rich`` the schedule is :func:`route_pass`'s (breaks, several windows, lateness
    and overtime costs in ``rx``): ``early`` holds the earliest start of each stop over the
    ways to take the breaks (a lower bound), ``late`` the latest start that keeps the rest
    of the route inside its windows and shift with the breaks left out (an upper bound), so
    that the O(1) test of a place stays a necessary condition and the pass decides.
    """
    if rich:
        return _refresh_rich(
            v, routes, length, early, late, load, cost, where, slot, travel, preference,
            vclass, vstart, vend, vopen, vclose, win_open, win_close, service, demand, rx,
        )  # fmt: skip
    k = vclass[v]
    m = length[v]
    ready = vopen[v]
    prev = vstart[v]
    total = 0
    carried = 0
    ok = True
    for i in range(m):
        u = routes[v, i]
        start = max(ready + travel[k, prev, u], win_open[u])
        if start > win_close[u]:
            ok = False
        early[v, i] = start
        ready = start + service[u]
        total += travel[k, prev, u] + preference[u, v]
        carried += demand[u]
        where[u] = v
        slot[u] = i
        prev = u
    if m > 0:
        total += travel[k, prev, vend[v]]
        if ready + travel[k, prev, vend[v]] > vclose[v]:
            ok = False
    cost[v] = total
    load[v] = carried
    latest = vclose[v]
    nxt = vend[v]
    for i in range(m - 1, -1, -1):
        u = routes[v, i]
        latest = min(win_close[u], latest - service[u] - travel[k, u, nxt])
        late[v, i] = latest
        nxt = u
    return ok


WAIT_SCALE = 1000
"""The waiting weight ``rx[12][0]`` is in 1/WAIT_SCALE of a cost unit per second."""

NONE = INFEASIBLE
"""A time no window or label reaches (a missing label, no window left)."""

NEVER = -(1 << 60)
"""The latest start of a stop that no start keeps in time."""


@njit(cache=True, inline="always")
def _window_start(
    u: int, t: int, tw_open: np.ndarray, tw_close: np.ndarray, tw_count: np.ndarray,
    lo: int, hi: int,
) -> int:  # fmt: skip
    """The earliest start of ``u`` at or after ``t`` inside one of its windows and inside
    [lo, hi] (a pair's agreed start, a pin); NONE when there is none."""
    t = max(t, lo)
    for w in range(tw_count[u]):
        if t <= tw_close[u, w]:
            start = max(t, tw_open[u, w])
            return start if start <= hi else NONE
    return NONE


@njit(cache=True, inline="always")
def _window_close(
    u: int, start: int, tw_open: np.ndarray, tw_close: np.ndarray, tw_count: np.ndarray
) -> int:
    """The end of the window of ``u`` that ``start`` lies in."""
    for w in range(tw_count[u]):
        if start <= tw_close[u, w]:
            return tw_close[u, w]
    return start


@njit(cache=True, inline="always")
def _window_latest(
    u: int, t: int, tw_open: np.ndarray, tw_close: np.ndarray, tw_count: np.ndarray,
    lo: int, hi: int,
) -> int:  # fmt: skip
    """The latest start of ``u`` at or before ``t`` inside one of its windows and inside
    [lo, hi]; NEVER when there is none."""
    t = min(t, hi)
    for w in range(tw_count[u] - 1, -1, -1):
        if tw_open[u, w] <= t:
            start = min(t, tw_close[u, w])
            return start if start >= lo else NEVER
    return NEVER


@njit(cache=True)
def route_pass(
    v: int,
    p: int,
    u: int,
    write: bool,
    routes: np.ndarray,
    length: np.ndarray,
    early: np.ndarray,
    travel: np.ndarray,
    preference: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
    vopen: np.ndarray,
    vclose: np.ndarray,
    fixed_open: np.ndarray,
    fixed_close: np.ndarray,
    service: np.ndarray,
    rx: tuple,
) -> tuple[bool, int]:
    """(feasible, cost) of route ``v`` with job ``u`` put at slot ``p`` (``u`` < 0: as it is):
    arcs and preferences, lateness after soft window ends, overtime after the soft shift end,
    and waiting at doors (``rx[12][0]`` per WAIT_SCALE seconds, rounded down per route: a
    fraction of a travel second per second) when the caregiver leaves the base as
    late as the windows allow without any stop getting later than its soft end.

    A schedule pass for the rules where O(1) slack no longer holds. Breaks (sorted by their
    earliest start, taken in that order) go between two stops: after the service of the one
    (at the earliest moment their window allows), before or after the travel to the next,
    and a break taken while waiting costs no time; a stop starts in the first of its windows
    it can reach. One label per number of breaks taken keeps the earliest time the caregiver
    is free, so feasibility is exact (earlier is never worse for windows or break windows);
    the cost is that of the label's path, the cheapest when lateness and the break do not
    pull apart. With ``write``, ``early`` gets each stop's earliest start over the labels.
    """
    tw_open, tw_close, tw_count, soft_end, late_cost = rx[0], rx[1], rx[2], rx[3], rx[4]
    vsoft, ot_cost, brk_open, brk_close, brk_dur = rx[5], rx[6], rx[7], rx[8], rx[9]
    brk_count, lab, wcost = rx[10], rx[11], rx[12][0]
    m = length[v] + (1 if u >= 0 else 0)
    if m == 0:
        return True, 0
    k = vclass[v]
    nb = brk_count[v]
    for j in range(nb + 1):
        lab[0, j] = NONE
        lab[1, j] = 0
    lab[0, 0] = vopen[v]
    # Waiting (rows 4, 5; 6, 7 for the next stop): the waiting so far and how much later the
    # caregiver could leave the base with no stop later than its window or soft end allows.
    lab[4, 0] = 0
    lab[5, 0] = NONE
    prev = vstart[v]
    arcs = 0
    for i in range(m + 1):
        if i == m:
            x = vend[v]
        elif u < 0 or i < p:
            x = routes[v, i]
        elif i == p:
            x = u
        else:
            x = routes[v, i - 1]
        tau = travel[k, prev, x]
        arcs += tau
        if i < m:
            arcs += preference[x, v]
        for j in range(nb + 1):
            lab[2, j] = NONE
            lab[3, j] = 0
        for j in range(nb + 1):
            ready = lab[0, j]
            if ready == NONE:
                continue
            paused = 0
            free = ready  # when the breaks taken in this gap are over
            waited = lab[4, j]
            gap_delay = lab[5, j]
            delay = gap_delay
            for q in range(j, nb + 1):
                if q > j:  # take break q - 1 here too
                    b = q - 1
                    begin = max(free, brk_open[v, b])
                    if begin > brk_close[v, b]:
                        break
                    free = begin + brk_dur[v, b]
                    paused += brk_dur[v, b]
                    gap_delay = min(gap_delay, lab[4, j] + brk_close[v, b] - begin)
                    delay = gap_delay
                arrival = max(ready + tau + paused, free)
                if i == m:
                    if arrival > vclose[v]:
                        break
                    then = arrival
                    spent = lab[1, j] + ot_cost[v] * max(0, arrival - vsoft[v])
                    if wcost > 0:
                        bound = vclose[v]
                        if ot_cost[v] > 0:
                            bound = min(bound, max(vsoft[v], arrival))
                        delay = min(gap_delay, waited + bound - arrival)
                else:
                    start = _window_start(
                        x, arrival, tw_open, tw_close, tw_count, fixed_open[x], fixed_close[x]
                    )
                    if start == NONE:
                        break
                    then = start + service[x]
                    spent = lab[1, j] + late_cost[x] * max(0, start - soft_end[x])
                    if wcost > 0:
                        bound = _window_close(x, start, tw_open, tw_close, tw_count)
                        bound = min(bound, fixed_close[x])
                        if late_cost[x] > 0:
                            bound = min(bound, max(soft_end[x], start))
                        waited = lab[4, j] + start - arrival
                        delay = min(gap_delay, waited + bound - start)
                if then < lab[2, q] or (then == lab[2, q] and spent < lab[3, q]):
                    lab[2, q] = then
                    lab[3, q] = spent
                    lab[6, q] = waited
                    lab[7, q] = delay
        first = NONE
        for j in range(nb + 1):
            lab[0, j] = lab[2, j]
            lab[1, j] = lab[3, j]
            lab[4, j] = lab[6, j]
            lab[5, j] = lab[7, j]
            if lab[2, j] < first:
                first = lab[2, j]
        if first == NONE:
            return False, arcs
        if write and i < m:
            early[v, i] = first - service[x]
        prev = x
    if lab[0, nb] == NONE:
        return False, arcs
    waiting = lab[4, nb] - min(lab[5, nb], lab[4, nb])
    return True, arcs + lab[1, nb] + (wcost * waiting) // WAIT_SCALE


@njit(cache=True)
def _refresh_rich(
    v: int,
    routes: np.ndarray,
    length: np.ndarray,
    early: np.ndarray,
    late: np.ndarray,
    load: np.ndarray,
    cost: np.ndarray,
    where: np.ndarray,
    slot: np.ndarray,
    travel: np.ndarray,
    preference: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
    vopen: np.ndarray,
    vclose: np.ndarray,
    fixed_open: np.ndarray,
    fixed_close: np.ndarray,
    service: np.ndarray,
    demand: np.ndarray,
    rx: tuple,
) -> bool:
    """:func:`refresh_route` for the rich rules (see there)."""
    tw_open, tw_close, tw_count = rx[0], rx[1], rx[2]
    m = length[v]
    carried = 0
    for i in range(m):
        u = routes[v, i]
        carried += demand[u]
        where[u] = v
        slot[u] = i
    load[v] = carried
    ok, total = route_pass(
        v, 0, -1, True, routes, length, early, travel, preference, vclass, vstart, vend,
        vopen, vclose, fixed_open, fixed_close, service, rx,
    )  # fmt: skip
    cost[v] = total if m > 0 else 0
    k = vclass[v]
    latest = vclose[v]
    nxt = vend[v]
    for i in range(m - 1, -1, -1):
        u = routes[v, i]
        if latest != NEVER:
            latest = _window_latest(
                u, latest - service[u] - travel[k, u, nxt], tw_open, tw_close, tw_count,
                fixed_open[u], fixed_close[u],
            )  # fmt: skip
        late[v, i] = latest
        nxt = u
    return ok


@njit(cache=True)
def _fits(arrival: int, opens: int, closes: int, onward: int, latest: int) -> bool:
    """Whether a job reached at ``arrival`` starts in [opens, closes] and, ``onward`` seconds
    of service and travel later, reaches the next stop by its ``latest`` start.

    Scalars only, so that numba inlines it: a call per place with array arguments cost more
    than the check itself (about 150 ns, reference counts of every array)."""
    start = max(arrival, opens)
    return start <= closes and start + onward <= latest


@njit(cache=True, inline="always")
def cheapest_place(
    u: int,
    blink: float,
    routes: np.ndarray,
    length: np.ndarray,
    early: np.ndarray,
    late: np.ndarray,
    load: np.ndarray,
    travel: np.ndarray,
    preference: np.ndarray,
    allowed: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
    vopen: np.ndarray,
    vclose: np.ndarray,
    capacity: np.ndarray,
    win_open: np.ndarray,
    win_close: np.ndarray,
    service: np.ndarray,
    demand: np.ndarray,
    cost: np.ndarray,
    fixed_open: np.ndarray,
    fixed_close: np.ndarray,
    rich: bool,
    rx: tuple,
) -> tuple[int, int, int]:
    """(added cost, vehicle, slot) of the cheapest place job ``u`` may take, skipping each
    place that would win with probability ``blink``; (INFEASIBLE, -1, -1) when none fits.

    A place is allowed, within capacity, and keeps ``u`` and every later stop in time.
    Inlined into :func:`iterate`: as a call it cost the search 30 % of its iterations.

    With ``rich`` rules a place that passes the O(1) test (a necessary condition then) and
    whose added arc cost could still win is judged by :func:`route_pass`, and its added cost
    is the route's new cost (lateness, overtime) minus ``cost[v]``.
    """
    if rich:
        return _cheapest_rich(
            u, blink, routes, length, early, late, load, travel, preference, allowed, vclass,
            vstart, vend, vopen, vclose, capacity, win_open, win_close, service, demand, cost,
            fixed_open, fixed_close, rx,
        )  # fmt: skip
    best = INFEASIBLE
    best_v = -1
    best_p = -1
    for v in range(routes.shape[0]):
        if not allowed[u, v] or (capacity[v] >= 0 and load[v] + demand[u] > capacity[v]):
            continue
        k = vclass[v]
        m = length[v]
        for p in range(m + 1):
            # Cheapest check first: most places cost more than the best so far. Blinking
            # only where a place would win skips with the same odds as blinking everywhere.
            prev = vstart[v] if p == 0 else routes[v, p - 1]
            nxt = vend[v] if p == m else routes[v, p]
            added = travel[k, prev, u] + travel[k, u, nxt] + preference[u, v]
            if m > 0:
                added -= travel[k, prev, nxt]
            if added >= best:
                continue
            ready = vopen[v] if p == 0 else early[v, p - 1] + service[prev]
            latest = vclose[v] if p == m else late[v, p]
            arrival = ready + travel[k, prev, u]
            onward = service[u] + travel[k, u, nxt]
            if not _fits(arrival, win_open[u], win_close[u], onward, latest):
                continue
            if blink > 0.0 and np.random.random() < blink:
                continue
            best = added
            best_v = v
            best_p = p
    return best, best_v, best_p


@njit(cache=True)
def _cheapest_rich(
    u: int,
    blink: float,
    routes: np.ndarray,
    length: np.ndarray,
    early: np.ndarray,
    late: np.ndarray,
    load: np.ndarray,
    travel: np.ndarray,
    preference: np.ndarray,
    allowed: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
    vopen: np.ndarray,
    vclose: np.ndarray,
    capacity: np.ndarray,
    win_open: np.ndarray,
    win_close: np.ndarray,
    service: np.ndarray,
    demand: np.ndarray,
    cost: np.ndarray,
    fixed_open: np.ndarray,
    fixed_close: np.ndarray,
    rx: tuple,
) -> tuple[int, int, int]:
    """:func:`cheapest_place` with the rich rules: the places that pass the O(1) test (a
    necessary condition here) in order of added arc cost, each judged by
    :func:`route_pass` until the added arc cost alone cannot win (lateness and overtime
    only add): the first feasible places are near the cheapest, so few passes run."""
    places = 0
    for v in range(routes.shape[0]):
        places += length[v] + 1
    found = np.empty((5, places), dtype=np.int64)
    count = _pair_places(
        u, win_open[u], win_close[u], found, routes, length, early, late, load, travel,
        preference, allowed, vclass, vstart, vend, vopen, vclose, capacity, service, demand,
    )  # fmt: skip
    added_arc = found[2]
    where_v = found[0]
    where_p = found[1]
    best = INFEASIBLE
    best_v = -1
    best_p = -1
    for q in np.argsort(added_arc[:count], kind="mergesort"):
        if added_arc[q] >= best:
            break
        v = where_v[q]
        p = where_p[q]
        ok, total = route_pass(
            v, p, u, False, routes, length, early, travel, preference, vclass, vstart, vend,
            vopen, vclose, fixed_open, fixed_close, service, rx,
        )  # fmt: skip
        if not ok or total - cost[v] >= best:
            continue
        if blink > 0.0 and np.random.random() < blink:
            continue
        best = total - cost[v]
        best_v = v
        best_p = p
    return best, best_v, best_p


@njit(cache=True, inline="always")
def _remove_string(v: int, first: int, count: int, routes: np.ndarray, length: np.ndarray) -> None:
    m = length[v]
    for i in range(first, m - count):
        routes[v, i] = routes[v, i + count]
    length[v] = m - count


@njit(cache=True, inline="always")
def _insert_at(v: int, p: int, u: int, routes: np.ndarray, length: np.ndarray) -> None:
    m = length[v]
    for i in range(m, p, -1):
        routes[v, i] = routes[v, i - 1]
    routes[v, p] = u
    length[v] = m + 1


@njit(cache=True, inline="always")
def _save_route(
    v: int,
    routes: np.ndarray,
    length: np.ndarray,
    touched: np.ndarray,
    saved_routes: np.ndarray,
    saved_length: np.ndarray,
) -> None:
    """Keep route ``v`` as it was before this iteration's first change to it."""
    if touched[v]:
        return
    for i in range(length[v]):
        saved_routes[v, i] = routes[v, i]
    saved_length[v] = length[v]
    touched[v] = True


@njit(cache=True)
def _pair_places(
    x: int,
    opens: int,
    closes: int,
    out: np.ndarray,
    routes: np.ndarray,
    length: np.ndarray,
    early: np.ndarray,
    late: np.ndarray,
    load: np.ndarray,
    travel: np.ndarray,
    preference: np.ndarray,
    allowed: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
    vopen: np.ndarray,
    vclose: np.ndarray,
    capacity: np.ndarray,
    service: np.ndarray,
    demand: np.ndarray,
) -> int:
    """Every place half ``x`` of a pair fits on its own, as rows of ``out``: vehicle, slot,
    added cost, arrival, latest start. The number of places.

    The loop over places repeats :func:`cheapest_place`'s on purpose: moving the stops
    around a slot into a shared helper (even with ``inline="always"``) made the search six
    times slower (R107, 20,000 iterations: 0.96 s instead of 0.15 s, the same routes)."""
    count = 0
    for v in range(routes.shape[0]):
        if not allowed[x, v] or (capacity[v] >= 0 and load[v] + demand[x] > capacity[v]):
            continue
        k = vclass[v]
        m = length[v]
        for p in range(m + 1):
            prev = vstart[v] if p == 0 else routes[v, p - 1]
            nxt = vend[v] if p == m else routes[v, p]
            ready = vopen[v] if p == 0 else early[v, p - 1] + service[prev]
            latest = vclose[v] if p == m else late[v, p]
            arrival = ready + travel[k, prev, x]
            limit = min(closes, latest - service[x] - travel[k, x, nxt])
            if max(arrival, opens) > limit:
                continue
            added = travel[k, prev, x] + travel[k, x, nxt] + preference[x, v]
            if m > 0:
                added -= travel[k, prev, nxt]
            out[0, count] = v
            out[1, count] = p
            out[2, count] = added
            out[3, count] = arrival
            out[4, count] = limit
            count += 1
    return count


@njit(cache=True)
def _best_pair(
    opens: int,
    other_opens: int,
    lo: int,
    hi: int,
    first: np.ndarray,
    n_first: int,
    second: np.ndarray,
    n_second: int,
    lateness: np.ndarray,
) -> tuple[int, int, int, int]:
    """The cheapest places (i, j) of the two halves of a pair on different vehicles with
    starts s1 in the first's and s2 in the second's ranges and s2 - s1 in [lo, hi] (0, 0: a
    double-staffed visit; else a gap), each as early as that allows; (-1, -1, 0, 0) when
    there are none. ``lateness`` (u, soft end, cost per second for each half) prices the
    halves' own starts. Blinks as single insertion does."""
    by_first = np.argsort(first[2, :n_first])
    by_second = np.argsort(second[2, :n_second])
    best = INFEASIBLE
    best_i = -1
    best_j = -1
    best_start = 0
    best_other = 0
    for i in by_first:
        if first[2, i] + second[2, by_second[0]] >= best:
            break
        for j in by_second:
            total = first[2, i] + second[2, j]
            if total >= best:
                break
            if first[0, i] == second[0, j]:
                continue
            start = max(first[3, i], opens, max(second[3, j], other_opens) - hi)
            then = max(second[3, j], other_opens, start + lo)
            if start > first[4, i] or then > second[4, j]:
                continue
            total += lateness[2] * max(0, start - lateness[1])
            total += lateness[5] * max(0, then - lateness[4])
            if total >= best:
                continue
            if np.random.random() < BLINK:
                continue
            best = total
            best_i = i
            best_j = j
            best_start = start
            best_other = then
    return best_i, best_j, best_start, best_other


@njit(cache=True, inline="always")
def _total_travel(
    routes: np.ndarray,
    length: np.ndarray,
    travel: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
) -> int:
    """Seconds of travel over every route (the arcs alone: no preferences, no waiting)."""
    total = 0
    for v in range(length.shape[0]):
        if length[v] == 0:
            continue
        k = vclass[v]
        prev = vstart[v]
        for i in range(length[v]):
            total += travel[k, prev, routes[v, i]]
            prev = routes[v, i]
        total += travel[k, prev, vend[v]]
    return total


@njit(cache=True)
def iterate(
    n_iterations: int,
    temperature: float,
    routes: np.ndarray,
    length: np.ndarray,
    early: np.ndarray,
    late: np.ndarray,
    load: np.ndarray,
    cost: np.ndarray,
    where: np.ndarray,
    slot: np.ndarray,
    fixed_open: np.ndarray,
    fixed_close: np.ndarray,
    best_routes: np.ndarray,
    best_length: np.ndarray,
    best_objective: np.ndarray,
    best_starts: np.ndarray,
    jobs: np.ndarray,
    neighbours: np.ndarray,
    remoteness: np.ndarray,
    partner: np.ndarray,
    travel: np.ndarray,
    preference: np.ndarray,
    allowed: np.ndarray,
    vclass: np.ndarray,
    vstart: np.ndarray,
    vend: np.ndarray,
    vopen: np.ndarray,
    vclose: np.ndarray,
    capacity: np.ndarray,
    win_open: np.ndarray,
    win_close: np.ndarray,
    service: np.ndarray,
    demand: np.ndarray,
    penalty: np.ndarray,
    pair_lo: np.ndarray,
    pair_hi: np.ndarray,
    rich: bool,
    rx: tuple,
) -> int:
    """Run ``n_iterations`` ruin-and-recreate steps at ``temperature``; the current objective.

    The current solution is the state arrays; the best one seen is copied to ``best_routes``,
    ``best_length`` and ``best_objective[0]`` whenever it improves, and the starts agreed
    for its pairs (``fixed_open``) to ``best_starts``.

    A travel cap ``rx[12][1]`` >= 0 (seconds) rejects every solution that travels more,
    whatever its objective (the lexicographic polish of waiting,
    :func:`hjemmetjeneste.solver.lns.polish_waiting`); -1: no cap.

    Double-staffed pairs (``partner`` >= 0) leave and come back together, on two vehicles at
    one common start; while served, that start is their window (``fixed_open`` =
    ``fixed_close``), which keeps both routes' schedules independent. Schedules read the
    ``fixed_*`` windows; a pair's own window ``win_*`` bounds the start it is given.
    """
    n_vehicles = routes.shape[0]
    n_jobs = jobs.shape[0]
    touched = np.zeros(n_vehicles, dtype=np.bool_)
    saved_routes = routes.copy()
    saved_length = length.copy()
    removed = np.empty(n_jobs, dtype=np.int64)
    old_open = np.empty(n_jobs, dtype=np.int64)
    old_close = np.empty(n_jobs, dtype=np.int64)
    order_key = np.empty(n_jobs, dtype=np.float64)
    tried = np.zeros(where.shape[0], dtype=np.bool_)
    listed = np.zeros(where.shape[0], dtype=np.bool_)
    places = n_jobs + n_vehicles
    pricing = np.zeros(6, dtype=np.int64)
    first_half = np.empty((5, places), dtype=np.int64)
    second_half = np.empty((5, places), dtype=np.int64)
    objective = 0
    for v in range(n_vehicles):
        objective += cost[v]
    # Unserved jobs and their penalties, kept up to date move by move.
    unserved = 0
    unserved_penalty = 0
    for j in range(n_jobs):
        if where[jobs[j]] < 0:
            unserved += 1
            unserved_penalty += penalty[jobs[j]]
    objective += unserved_penalty

    for _ in range(n_iterations):
        # --- Ruin: strings from the routes around a random served job, with their partners.
        unserved_before = unserved
        penalty_before = unserved_penalty
        n_removed = 0
        served = 0
        used = 0
        for v in range(n_vehicles):
            touched[v] = False
            if length[v] > 0:
                served += length[v]
                used += 1
        if served > 0:
            string_max = min(float(MAX_STRING), served / used)
            ruin_max = 4.0 * MEAN_REMOVED / (1.0 + string_max) - 1.0
            n_ruin = int(np.random.uniform(1.0, ruin_max + 1.0))
            centre = jobs[np.random.randint(n_jobs)]
            while where[centre] < 0:
                centre = jobs[np.random.randint(n_jobs)]
            ruined = 0
            for c in neighbours[centre]:
                if ruined >= n_ruin:
                    break
                v = where[c]
                if v < 0 or touched[v]:
                    continue
                m = length[v]
                string = int(np.random.uniform(1.0, min(float(m), string_max) + 1.0))
                string = min(string, m)
                i = slot[c]
                lo = max(0, i - string + 1)
                hi = min(i, m - string)
                first = lo + np.random.randint(hi - lo + 1)
                _save_route(v, routes, length, touched, saved_routes, saved_length)
                start_removed = n_removed
                for q in range(first, first + string):
                    u = routes[v, q]
                    removed[n_removed] = u
                    n_removed += 1
                    where[u] = -1
                    unserved += 1
                    unserved_penalty += penalty[u]
                _remove_string(v, first, string, routes, length)
                refresh_route(
                    v, routes, length, early, late, load, cost, where, slot, travel,
                    preference, vclass, vstart, vend, vopen, vclose, fixed_open, fixed_close,
                    service, demand, rich, rx,
                )  # fmt: skip
                for q in range(start_removed, n_removed):
                    other = partner[removed[q]]
                    if other < 0 or where[other] < 0:
                        continue
                    w = where[other]
                    _save_route(w, routes, length, touched, saved_routes, saved_length)
                    removed[n_removed] = other
                    n_removed += 1
                    _remove_string(w, slot[other], 1, routes, length)
                    where[other] = -1
                    unserved += 1
                    unserved_penalty += penalty[other]
                    refresh_route(
                        w, routes, length, early, late, load, cost, where, slot, travel,
                        preference, vclass, vstart, vend, vopen, vclose, fixed_open,
                        fixed_close, service, demand, rich, rx,
                    )  # fmt: skip
                ruined += 1
        n_ruined = n_removed
        if unserved > n_ruined:
            odds = min(1.0, UNSERVED_TRIED / (unserved - n_ruined))
            for q in range(n_ruined):
                listed[removed[q]] = True
            for j in range(n_jobs):
                u = jobs[j]
                if where[u] >= 0 or listed[u] or (odds < 1.0 and np.random.random() >= odds):
                    continue
                # An unserved pair is tried as a pair: both halves join the list.
                other = partner[u]
                for x in (u, other):
                    if x >= 0 and not listed[x]:
                        listed[x] = True
                        removed[n_removed] = x
                        n_removed += 1
        for q in range(n_removed):
            u = removed[q]
            old_open[q] = fixed_open[u]
            old_close[q] = fixed_close[u]
            fixed_open[u] = win_open[u]
            fixed_close[u] = win_close[u]
            tried[u] = False
            listed[u] = False

        # --- Recreate: sorted randomly, by demand, far first or close first (4:4:2:1).
        pick = np.random.randint(11)
        for q in range(n_removed):
            u = removed[q]
            if pick < 4:
                order_key[q] = np.random.random()
            elif pick < 8:
                order_key[q] = -float(demand[u])
            elif pick < 10:
                order_key[q] = -float(remoteness[u])
            else:
                order_key[q] = float(remoteness[u])
        order = np.argsort(order_key[:n_removed], kind="mergesort")
        for q in order:
            u = removed[q]
            if tried[u]:
                continue
            tried[u] = True
            other = partner[u]
            if other >= 0:
                tried[other] = True
                lo = pair_lo[u]
                hi = pair_hi[u]
                if lo == 0 and hi == 0:  # a double-staffed visit: one window for both
                    opens = other_opens = max(win_open[u], win_open[other])
                    closes = other_closes = min(win_close[u], win_close[other])
                else:
                    opens, closes = win_open[u], win_close[u]
                    other_opens, other_closes = win_open[other], win_close[other]
                soft_end, late_cost = rx[3], rx[4]
                pricing[0], pricing[1], pricing[2] = u, soft_end[u], late_cost[u]
                pricing[3], pricing[4], pricing[5] = other, soft_end[other], late_cost[other]
                n_first = _pair_places(
                    u, opens, closes, first_half, routes, length, early, late, load, travel,
                    preference, allowed, vclass, vstart, vend, vopen, vclose, capacity,
                    service, demand,
                )  # fmt: skip
                n_second = _pair_places(
                    other, other_opens, other_closes, second_half, routes, length, early,
                    late, load, travel, preference, allowed, vclass, vstart, vend, vopen,
                    vclose, capacity, service, demand,
                )  # fmt: skip
                if n_first == 0 or n_second == 0:
                    continue
                i, j, start, then = _best_pair(
                    opens, other_opens, lo, hi, first_half, n_first, second_half, n_second,
                    pricing,
                )  # fmt: skip
                if i < 0:
                    continue
                in_time = True
                for x, half, row, agreed in (
                    (u, first_half, i, start),
                    (other, second_half, j, then),
                ):
                    v = half[0, row]
                    unserved -= 1
                    unserved_penalty -= penalty[x]
                    _save_route(v, routes, length, touched, saved_routes, saved_length)
                    _insert_at(v, half[1, row], x, routes, length)
                    fixed_open[x] = agreed
                    fixed_close[x] = agreed
                    in_time &= refresh_route(
                        v, routes, length, early, late, load, cost, where, slot, travel,
                        preference, vclass, vstart, vend, vopen, vclose, fixed_open,
                        fixed_close, service, demand, rich, rx,
                    )  # fmt: skip
                if not in_time:
                    # Only with rich rules, whose O(1) test is a necessary condition: the
                    # schedule pass says a half is late (a break in the way); take both out.
                    for x in (u, other):
                        v = where[x]
                        _remove_string(v, slot[x], 1, routes, length)
                        where[x] = -1
                        unserved += 1
                        unserved_penalty += penalty[x]
                        fixed_open[x] = win_open[x]
                        fixed_close[x] = win_close[x]
                        refresh_route(
                            v, routes, length, early, late, load, cost, where, slot,
                            travel, preference, vclass, vstart, vend, vopen, vclose,
                            fixed_open, fixed_close, service, demand, rich, rx,
                        )  # fmt: skip
                continue
            _, best_v, best_p = cheapest_place(
                u, BLINK, routes, length, early, late, load, travel, preference, allowed,
                vclass, vstart, vend, vopen, vclose, capacity, win_open, win_close, service,
                demand, cost, fixed_open, fixed_close, rich, rx,
            )  # fmt: skip
            if best_v < 0:
                continue
            _save_route(best_v, routes, length, touched, saved_routes, saved_length)
            _insert_at(best_v, best_p, u, routes, length)
            unserved -= 1
            unserved_penalty -= penalty[u]
            refresh_route(
                best_v, routes, length, early, late, load, cost, where, slot, travel,
                preference, vclass, vstart, vend, vopen, vclose, fixed_open, fixed_close,
                service, demand, rich, rx,
            )  # fmt: skip

        # --- Accept by simulated annealing, or undo.
        candidate = unserved_penalty
        for v in range(n_vehicles):
            candidate += cost[v]
        threshold = objective - temperature * np.log(np.random.random())
        if candidate < threshold and (
            rx[12][1] < 0
            or _total_travel(routes, length, travel, vclass, vstart, vend) <= rx[12][1]
        ):
            objective = candidate
            if candidate < best_objective[0]:
                best_objective[0] = candidate
                best_starts[:] = fixed_open
                for v in range(n_vehicles):
                    best_length[v] = length[v]
                    for i in range(length[v]):
                        best_routes[v, i] = routes[v, i]
        else:
            unserved = unserved_before
            unserved_penalty = penalty_before
            for q in range(n_removed):
                u = removed[q]
                where[u] = -1
                fixed_open[u] = old_open[q]
                fixed_close[u] = old_close[q]
            for v in range(n_vehicles):
                if touched[v]:
                    length[v] = saved_length[v]
                    for i in range(saved_length[v]):
                        routes[v, i] = saved_routes[v, i]
                    refresh_route(
                        v, routes, length, early, late, load, cost, where, slot, travel,
                        preference, vclass, vstart, vend, vopen, vclose, fixed_open,
                        fixed_close, service, demand, rich, rx,
                    )  # fmt: skip
    return objective
