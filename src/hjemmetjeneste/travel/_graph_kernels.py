"""Numba kernels on road graphs: multi-source shortest paths, strong components, snapping.

numba comes from :mod:`hjemmetjeneste._numba`, which settles ``NUMBA_CACHE_DIR`` before
numba reads its configuration. Callers validate their input (see :mod:`hjemmetjeneste.travel.osm`);
the kernels trust it.

Graphs are in CSR form: the arcs leaving node ``u`` are ``indptr[u] : indptr[u + 1]`` of
``indices`` (head nodes) and ``weights`` (non-negative int64). Integer weights make every path
length exact, so a reference such as ``scipy.sparse.csgraph.dijkstra`` on the same CSR matrix
finds the very same numbers (as long as they stay below 2**53).
"""

from __future__ import annotations

import numpy as np

from hjemmetjeneste._numba import get_num_threads, njit, prange

NO_PATH = np.iinfo(np.int64).max
"""Path length the search kernel writes for a target it cannot reach from a source."""


@njit(cache=True, inline="always")
def _heap_push(keys: np.ndarray, nodes: np.ndarray, size: int, key: int, node: int) -> int:
    """Push (key, node) on the binary min-heap of the first ``size`` slots; new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        pk = keys[parent]
        if pk <= key:
            break
        keys[i] = pk
        nodes[i] = nodes[parent]
        i = parent
    keys[i] = key
    nodes[i] = node
    return size + 1


@njit(cache=True, inline="always")
def _heap_pop_into_root(keys: np.ndarray, nodes: np.ndarray, size: int) -> int:
    """Remove the root of a heap of ``size`` entries (the caller read it first); new size."""
    size -= 1
    key = keys[size]
    node = nodes[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        right = child + 1
        if right < size and keys[right] < keys[child]:
            child = right
        ck = keys[child]
        if ck >= key:
            break
        keys[i] = ck
        nodes[i] = nodes[child]
        i = child
    keys[i] = key
    nodes[i] = node
    return size


@njit(cache=True)
def _search_one(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source: int,
    is_target: np.ndarray,
    n_targets: int,
    dist: np.ndarray,
    touched: np.ndarray,
    heap_keys: np.ndarray,
    heap_nodes: np.ndarray,
) -> int:
    """Dijkstra from ``source`` until every target node is settled; returns #touched nodes.

    ``dist`` must be all ``NO_PATH`` on entry; on return it holds the final lengths of the
    settled nodes (and upper bounds elsewhere) and ``touched[:returned]`` lists every node
    whose entry was written, so the caller can reset only those.
    """
    dist[source] = 0
    touched[0] = source
    size = _heap_push(heap_keys, heap_nodes, 0, 0, source)
    return _settle(
        indptr, indices, weights, is_target, n_targets, dist, touched, 1, heap_keys, heap_nodes,
        size,
    )  # fmt: skip


@njit(cache=True)
def _settle(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    is_target: np.ndarray,
    n_targets: int,
    dist: np.ndarray,
    touched: np.ndarray,
    n_touched: int,
    heap_keys: np.ndarray,
    heap_nodes: np.ndarray,
    size: int,
) -> int:
    """Run Dijkstra from an already seeded heap until ``n_targets`` targets are settled.

    Shared by the single-source search and the contracted-core search (which seeds several
    nodes). Returns the updated count of touched nodes.
    """
    found = 0
    while size > 0:
        key = heap_keys[0]
        u = heap_nodes[0]
        size = _heap_pop_into_root(heap_keys, heap_nodes, size)
        if key > dist[u]:
            continue  # stale entry (lazy deletion)
        if is_target[u]:
            found += 1
            if found == n_targets:
                break
        for a in range(indptr[u], indptr[u + 1]):
            v = indices[a]
            nk = key + weights[a]
            if nk < dist[v]:
                if dist[v] == NO_PATH:
                    touched[n_touched] = v
                    n_touched += 1
                dist[v] = nk
                size = _heap_push(heap_keys, heap_nodes, size, nk, v)
    return n_touched


@njit(cache=True, parallel=True)
def multi_source_lengths(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    n_blocks: int,
    out: np.ndarray,
) -> None:
    """Shortest path lengths from every node of ``sources`` to every node of ``targets``.

    Writes ``out[s, t]`` (int64, S×T, allocated by the caller) and ``NO_PATH`` where
    ``targets[t]`` cannot be reached from ``sources[s]``. Sources run in parallel in
    ``n_blocks`` interleaved blocks (a few per thread), each block reusing its work arrays;
    each search stops as soon as every distinct target node is settled.
    """
    n_nodes = indptr.shape[0] - 1
    n_arcs = indices.shape[0]
    n_sources = sources.shape[0]
    is_target = np.zeros(n_nodes, dtype=np.bool_)
    n_targets = 0
    for t in range(targets.shape[0]):
        if not is_target[targets[t]]:
            is_target[targets[t]] = True
            n_targets += 1
    for b in prange(n_blocks):
        dist = np.full(n_nodes, NO_PATH, dtype=np.int64)
        touched = np.empty(n_nodes, dtype=np.int64)
        heap_keys = np.empty(n_arcs + 1, dtype=np.int64)
        heap_nodes = np.empty(n_arcs + 1, dtype=np.int64)
        for s in range(b, n_sources, n_blocks):
            n_touched = _search_one(
                indptr,
                indices,
                weights,
                sources[s],
                is_target,
                n_targets,
                dist,
                touched,
                heap_keys,
                heap_nodes,
            )
            for t in range(targets.shape[0]):
                out[s, t] = dist[targets[t]]
            for k in range(n_touched):
                dist[touched[k]] = NO_PATH


@njit(cache=True)
def strong_components(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Label of the strongly connected component of every node (iterative Tarjan).

    Labels are 0, 1, ... in the order the components are completed.
    """
    n = indptr.shape[0] - 1
    index = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    on_stack = np.zeros(n, dtype=np.bool_)
    comp = np.full(n, -1, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    call_node = np.empty(n, dtype=np.int64)
    call_arc = np.empty(n, dtype=np.int64)
    sp = 0
    counter = 0
    n_comp = 0
    for root in range(n):
        if index[root] != -1:
            continue
        depth = 0
        call_node[0] = root
        call_arc[0] = indptr[root]
        index[root] = counter
        low[root] = counter
        counter += 1
        stack[sp] = root
        sp += 1
        on_stack[root] = True
        while depth >= 0:
            u = call_node[depth]
            a = call_arc[depth]
            if a < indptr[u + 1]:
                call_arc[depth] = a + 1
                v = indices[a]
                if index[v] == -1:
                    index[v] = counter
                    low[v] = counter
                    counter += 1
                    stack[sp] = v
                    sp += 1
                    on_stack[v] = True
                    depth += 1
                    call_node[depth] = v
                    call_arc[depth] = indptr[v]
                elif on_stack[v] and index[v] < low[u]:
                    low[u] = index[v]
            else:
                if low[u] == index[u]:
                    while True:
                        sp -= 1
                        w = stack[sp]
                        on_stack[w] = False
                        comp[w] = n_comp
                        if w == u:
                            break
                    n_comp += 1
                depth -= 1
                if depth >= 0:
                    parent = call_node[depth]
                    if low[u] < low[parent]:
                        low[parent] = low[u]
    return comp


@njit(cache=True, parallel=True)
def nearest_in_grid(
    node_x: np.ndarray,
    node_y: np.ndarray,
    cell_start: np.ndarray,
    cell_nodes: np.ndarray,
    x0: float,
    y0: float,
    cell_m: float,
    nx: int,
    ny: int,
    px: np.ndarray,
    py: np.ndarray,
    out: np.ndarray,
) -> None:
    """Nearest node (planar metres) to each point ``(px, py)``, searched ring by ring.

    Nodes are bucketed in a ``nx × ny`` grid of square cells of ``cell_m`` metres whose
    lower-left corner is ``(x0, y0)``; the nodes of cell ``c = iy * nx + ix`` are
    ``cell_nodes[cell_start[c] : cell_start[c + 1]]``. Ties go to the lower node index.
    Writes the node index into ``out`` (-1 only for an empty grid).
    """
    for p in prange(px.shape[0]):
        x = px[p]
        y = py[p]
        cx = int(np.floor((x - x0) / cell_m))
        cy = int(np.floor((y - y0) / cell_m))
        cx = min(max(cx, 0), nx - 1)
        cy = min(max(cy, 0), ny - 1)
        # Distance from the point to the boundary of its (clamped) cell's neighbourhood.
        best = -1
        best_d2 = np.inf
        ring = 0
        max_ring = max(nx, ny)
        while ring <= max_ring:
            for iy in range(cy - ring, cy + ring + 1):
                if iy < 0 or iy >= ny:
                    continue
                edge_row = iy == cy - ring or iy == cy + ring
                step = 1 if edge_row else 2 * ring
                ix = cx - ring
                while ix <= cx + ring:
                    if 0 <= ix < nx:
                        c = iy * nx + ix
                        for k in range(cell_start[c], cell_start[c + 1]):
                            node = cell_nodes[k]
                            dx = node_x[node] - x
                            dy = node_y[node] - y
                            d2 = dx * dx + dy * dy
                            if d2 < best_d2 or (d2 == best_d2 and node < best):
                                best_d2 = d2
                                best = node
                    if step == 0:
                        break
                    ix += step
            # Every node outside the searched square is farther than the square's border.
            inner_x = min(x - (x0 + (cx - ring) * cell_m), x0 + (cx + ring + 1) * cell_m - x)
            inner_y = min(y - (y0 + (cy - ring) * cell_m), y0 + (cy + ring + 1) * cell_m - y)
            reach = min(inner_x, inner_y)
            if best >= 0 and reach > 0 and best_d2 <= reach * reach:
                break
            ring += 1
        out[p] = best


def thread_count() -> int:
    """Threads numba's parallel loops use (``NUMBA_NUM_THREADS``, at most the cores)."""
    return int(get_num_threads())


# --- chain contraction ------------------------------------------------------------------------
# Most nodes of a road graph are shape points in the middle of a street: one way in and one
# way on (a one-way street) or both ways to the same two neighbours (a two-way street). The
# maximal runs of such nodes between two junctions are *chains*. Searching only the junctions
# (the *core*), with one arc per chain direction, and stepping along a chain at the start and
# end of each path gives exactly the same path weights with about a tenth of the nodes.


@njit(cache=True)
def chain_nodes(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """True for every node in the middle of a street (see the section comment)."""
    n = indptr.shape[0] - 1
    indeg = np.zeros(n, dtype=np.int64)
    for a in range(indices.shape[0]):
        indeg[indices[a]] += 1
    is_chain = np.zeros(n, dtype=np.bool_)
    for v in range(n):
        out = indptr[v + 1] - indptr[v]
        if out == 1 and indeg[v] == 1:
            w = indices[indptr[v]]
            # one in, one on, to different neighbours
            is_chain[v] = w != v and not _has_arc(indptr, indices, w, v)
        elif out == 2 and indeg[v] == 2:
            u = indices[indptr[v]]
            w = indices[indptr[v] + 1]
            if u != w and u != v and w != v:
                is_chain[v] = _has_arc(indptr, indices, u, v) and _has_arc(indptr, indices, w, v)
    return is_chain


@njit(cache=True)
def _has_arc(indptr: np.ndarray, indices: np.ndarray, u: int, v: int) -> bool:
    """Whether the arc u -> v exists."""
    for a in range(indptr[u], indptr[u + 1]):  # noqa: SIM110  (a generator does not jit)
        if indices[a] == v:
            return True
    return False


@njit(cache=True)
def _arc_weight(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, u: int, v: int
) -> int:
    """Weight of the arc u -> v (the caller knows it exists)."""
    for a in range(indptr[u], indptr[u + 1]):
        if indices[a] == v:
            return weights[a]
    return NO_PATH


@njit(cache=True)
def contract_chains(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, is_chain: np.ndarray
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    """Split a graph into its core (junctions) and chains.

    Returns ``(core_of, chain_of, cum_f, cum_b, chain_a, chain_b, chain_two_way, tot_f,
    tot_b, arc_tail, arc_head, arc_weight)``: the core index of each junction (-1 on chains),
    the chain of each chain node (-1 at junctions), the weight from the chain's start
    junction ``a`` to the node and (two-way chains) from the node back to ``a``; per chain its
    end junctions (core indices), direction and total weights a -> b and b -> a; and the
    arcs of the core graph (junction arcs and one arc per chain direction, core indices,
    parallel arcs not merged). A graph of chain nodes only (a ring) gets one junction.
    """
    n = indptr.shape[0] - 1
    junction = ~is_chain
    if n > 0 and not junction.any():
        junction[0] = True
    core_of = np.full(n, -1, dtype=np.int64)
    n_core = 0
    for v in range(n):
        if junction[v]:
            core_of[v] = n_core
            n_core += 1
    chain_of = np.full(n, -1, dtype=np.int64)
    cum_f = np.zeros(n, dtype=np.int64)
    cum_b = np.zeros(n, dtype=np.int64)
    n_arcs = indices.shape[0]
    chain_a = np.empty(n_arcs, dtype=np.int64)
    chain_b = np.empty(n_arcs, dtype=np.int64)
    two_way = np.zeros(n_arcs, dtype=np.bool_)
    tot_f = np.zeros(n_arcs, dtype=np.int64)
    tot_b = np.zeros(n_arcs, dtype=np.int64)
    arc_tail = np.empty(n_arcs, dtype=np.int64)
    arc_head = np.empty(n_arcs, dtype=np.int64)
    arc_weight = np.empty(n_arcs, dtype=np.int64)
    n_chains = 0
    n_core_arcs = 0
    for start in range(n):
        if not junction[start]:
            continue
        for a0 in range(indptr[start], indptr[start + 1]):
            first = indices[a0]
            if junction[first]:
                arc_tail[n_core_arcs] = core_of[start]
                arc_head[n_core_arcs] = core_of[first]
                arc_weight[n_core_arcs] = weights[a0]
                n_core_arcs += 1
                continue
            if chain_of[first] != -1:
                continue  # a two-way chain already walked from its other end
            c = n_chains
            n_chains += 1
            both = indptr[first + 1] - indptr[first] == 2
            prev = start
            v = first
            f = weights[a0]
            b = _arc_weight(indptr, indices, weights, first, start) if both else 0
            while not junction[v]:
                chain_of[v] = c
                cum_f[v] = f
                cum_b[v] = b
                nxt = indices[indptr[v]]
                a = indptr[v]
                if nxt == prev:
                    nxt = indices[indptr[v] + 1]
                    a = indptr[v] + 1
                f += weights[a]
                if both:
                    b += _arc_weight(indptr, indices, weights, nxt, v)
                prev = v
                v = nxt
            chain_a[c] = core_of[start]
            chain_b[c] = core_of[v]
            two_way[c] = both
            tot_f[c] = f
            tot_b[c] = b
            arc_tail[n_core_arcs] = core_of[start]
            arc_head[n_core_arcs] = core_of[v]
            arc_weight[n_core_arcs] = f
            n_core_arcs += 1
            if both:
                arc_tail[n_core_arcs] = core_of[v]
                arc_head[n_core_arcs] = core_of[start]
                arc_weight[n_core_arcs] = b
                n_core_arcs += 1
    return (
        core_of,
        chain_of,
        cum_f,
        cum_b,
        chain_a[:n_chains].copy(),
        chain_b[:n_chains].copy(),
        two_way[:n_chains].copy(),
        tot_f[:n_chains].copy(),
        tot_b[:n_chains].copy(),
        arc_tail[:n_core_arcs].copy(),
        arc_head[:n_core_arcs].copy(),
        arc_weight[:n_core_arcs].copy(),
    )


@njit(cache=True, inline="always")
def _plus(a: int, b: int) -> int:
    """a + b, or NO_PATH when either is NO_PATH."""
    if a == NO_PATH or b == NO_PATH:
        return NO_PATH
    return a + b


@njit(cache=True, parallel=True)
def multi_source_contracted(
    core_indptr: np.ndarray,
    core_indices: np.ndarray,
    core_weights: np.ndarray,
    core_of: np.ndarray,
    chain_of: np.ndarray,
    cum_f: np.ndarray,
    cum_b: np.ndarray,
    chain_a: np.ndarray,
    chain_b: np.ndarray,
    two_way: np.ndarray,
    tot_f: np.ndarray,
    tot_b: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    n_blocks: int,
    out: np.ndarray,
) -> None:
    """:func:`multi_source_lengths` on the full graph, computed on its contracted core.

    ``sources`` and ``targets`` are node indices of the full graph; the chain arrays come
    from :func:`contract_chains` and the core CSR merges its arcs. A source in a chain seeds
    the core search at the chain's ends; a target in a chain is reached from either end (or
    straight along the chain from a source on the same chain). Writes the same int64 path
    weights as a search of the full graph, ``NO_PATH`` where there is none.
    """
    n_core = core_indptr.shape[0] - 1
    n_arcs = core_indices.shape[0]
    needed = np.zeros(n_core, dtype=np.bool_)
    n_needed = 0
    for t in range(targets.shape[0]):
        v = targets[t]
        c = chain_of[v]
        if c == -1:
            ends = (core_of[v], core_of[v])
        else:
            ends = (chain_a[c], chain_b[c] if two_way[c] else chain_a[c])
        for e in ends:
            if not needed[e]:
                needed[e] = True
                n_needed += 1
    for blk in prange(n_blocks):
        dist = np.full(n_core, NO_PATH, dtype=np.int64)
        touched = np.empty(n_core, dtype=np.int64)
        heap_keys = np.empty(n_arcs + 3, dtype=np.int64)
        heap_nodes = np.empty(n_arcs + 3, dtype=np.int64)
        for s in range(blk, sources.shape[0], n_blocks):
            src = sources[s]
            sc = chain_of[src]
            n_touched = 0
            size = 0
            if sc == -1:
                seeds = ((core_of[src], 0), (core_of[src], 0))
            else:
                back = cum_b[src] if two_way[sc] else NO_PATH
                seeds = ((chain_b[sc], tot_f[sc] - cum_f[src]), (chain_a[sc], back))
            for seed in seeds:
                node = seed[0]
                key = seed[1]
                if key < dist[node]:
                    if dist[node] == NO_PATH:
                        touched[n_touched] = node
                        n_touched += 1
                    dist[node] = key
                    size = _heap_push(heap_keys, heap_nodes, size, key, node)
            n_touched = _settle(
                core_indptr, core_indices, core_weights, needed, n_needed, dist, touched,
                n_touched, heap_keys, heap_nodes, size,
            )  # fmt: skip
            for t in range(targets.shape[0]):
                v = targets[t]
                c = chain_of[v]
                if c == -1:
                    best = dist[core_of[v]]
                else:
                    best = _plus(dist[chain_a[c]], cum_f[v])
                    if two_way[c]:
                        alt = _plus(dist[chain_b[c]], tot_b[c] - cum_b[v])
                        best = min(best, alt)
                    if c == sc:
                        if cum_f[v] >= cum_f[src]:
                            best = min(best, cum_f[v] - cum_f[src])
                        elif two_way[c]:
                            best = min(best, cum_b[src] - cum_b[v])
                out[s, t] = best
            for k in range(n_touched):
                dist[touched[k]] = NO_PATH
