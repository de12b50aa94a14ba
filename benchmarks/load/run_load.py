"""Load benchmark of the worklist API: nurses fetching their own worklists (not a test).

Builds a SQLite store with the demo municipality, plans the 2026-12-01 day shift, publishes
it, starts `uvicorn` (2 workers, a random 48-byte token secret: the server refuses the demo's
without --demo) on 127.0.0.1 and runs 200 concurrent clients for 30 s with
`wrk` (Debian package; a Lua script gives each request a nurse's own token), falling back
to asyncio + httpx when wrk is missing. Every target is 127.0.0.1; the run is bounded in
time and stops by itself. Writes benchmarks/results/api_load-<UTC time>.json.

    .venv/bin/python benchmarks/load/run_load.py            # 200 clients, 30 s
    .venv/bin/python benchmarks/load/run_load.py --duration 10 --clients 50
    .venv/bin/python benchmarks/load/run_load.py --rate 5000   # latency at 5x the floor's rate

Saturated (the default), p99 is mostly the wait of requests queued behind others on a machine
whose cores also run wrk; ``--rate`` measures the latency at a given throughput instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
RESULTS = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"  # never anything else
DAY = date(2026, 12, 1)
PATH = "/v1/nurse/worklist?date=2026-12-01&shift=day"
FLOOR_RPS = 1000.0
CEILING_P99_MS = 100.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def prepare_store(database_url: str, time_limit_s: float) -> list[str]:
    """Import the demo, plan and publish its day shift; the staff ids with a worklist."""
    from hjemmetjeneste.domain import ShiftKind
    from hjemmetjeneste.formats import read_export
    from hjemmetjeneste.pipeline import plan_shift
    from hjemmetjeneste.solver import SolveParams
    from hjemmetjeneste.store import open_store, runs

    store = open_store(database_url)
    data = read_export(DEMO)
    store.save_export(data, source="load benchmark")
    outcome = plan_shift(data, DAY, ShiftKind.DAY, params=SolveParams(time_limit_s=time_limit_s))
    record = runs.create_run(
        store.engine,
        municipality_id=data.municipality.municipality_id,
        district_id=outcome.result.district_id,
        plan_date=DAY,
        shift="day",
        params={"time_limit_s": time_limit_s, "pins": 0},
        created_by="load-benchmark",
    )
    runs.start_run(store.engine, record.run_id)
    runs.finish_run(
        store.engine,
        record.run_id,
        "succeeded",
        result_json=outcome.result.model_dump_json(),
        kpis=outcome.result.kpis.model_dump(mode="json"),
        violations=len(outcome.violations),
    )
    runs.publish_run(
        store.engine,
        municipality_id=data.municipality.municipality_id,
        district_id=outcome.result.district_id,
        plan_date=DAY,
        shift="day",
        run_id=record.run_id,
        expected_version=0,
        published_by="load-benchmark",
    )
    store.close()
    return [w.staff_id for w in outcome.result.worklists]


#: The server's token secret for this run (random; never the public demo secret).
SECRET = secrets.token_urlsafe(48)
#: The guard's rate limits stay in the path but are raised: 22 nurses' tokens from one IP at
#: thousands of requests a second is the load being measured, not an abuse to throttle.
RATE_ENV = {
    "HJEMMETJENESTE_API_RATE_PER_TOKEN": "1000000",
    "HJEMMETJENESTE_API_BURST_PER_TOKEN": "1000000",
    "HJEMMETJENESTE_API_RATE_PER_IP": "1000000",
    "HJEMMETJENESTE_API_BURST_PER_IP": "1000000",
}


def tokens_for(staff_ids: list[str]) -> list[str]:
    """One bearer token per nurse, signed with the run's secret."""
    from pydantic import SecretStr

    from hjemmetjeneste.api.auth import Role, issue_demo_token
    from hjemmetjeneste.settings import Settings

    settings = Settings(jwt_secret=SecretStr(SECRET))
    return [
        "Bearer " + issue_demo_token(settings, role=Role.NURSE, person_id=s, municipality_id="5001")
        for s in staff_ids
    ]


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """uvicorn with the app factory on 127.0.0.1:port; waits until /health answers."""
    env = {
        **os.environ,
        "HJEMMETJENESTE_DATABASE_URL": database_url,
        "HJEMMETJENESTE_JWT_SECRET": SECRET,
        **RATE_ENV,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hjemmetjeneste.api:app_from_environment",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("uvicorn did not answer /health within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop uvicorn and its workers (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    port: int, token_file: Path, clients: int, duration: int, threads: int, rate: float | None
) -> dict:
    """wrk with the Lua script; parses req/s, latency percentiles and errors.

    With ``rate`` (requests a second, all connections together) each connection pauses
    ``clients / rate`` seconds before its next request: the server is offered about that
    rate (a little less, as each answer's own time adds to the pause) rather than saturated,
    so the percentiles are the latency at that throughput, not the queue of an overloaded
    machine that also runs the load generator."""
    env = {**os.environ, "WRK_TOKENS": str(token_file), "WRK_PATH": PATH}
    if rate:
        env["WRK_DELAY_MS"] = str(max(1, round(clients / rate * 1000)))
    script = Path(__file__).with_name("worklist.lua")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        f"http://{HOST}:{port}",
    ]
    out = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    pct = dict(re.findall(r"^\s+(\d+)\.?\d*%\s+(\S+)\s*$", out, re.MULTILINE))
    if "99" not in pct:
        raise RuntimeError(f"could not read wrk's latency distribution:\n{out}")
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {
        "client": "wrk",
        "requests": requests,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(pct["50"]),
        "p75_ms": _ms(pct["75"]),
        "p90_ms": _ms(pct["90"]),
        "p99_ms": _ms(pct["99"]),
        "errors": errors,
        "raw": out,
    }


async def _httpx_load(port: int, tokens: list[str], clients: int, duration: int) -> dict:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + duration

    async def client(index: int) -> None:
        nonlocal errors
        headers = {"Authorization": tokens[index % len(tokens)]}
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=10) as c:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                try:
                    response = await c.get(PATH, headers=headers)
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "client": "httpx",
        "requests": len(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": pct(50),
        "p75_ms": pct(75),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Prepare, serve, load, report; returns 0 when the floor is met and nothing failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=int, default=30, help="seconds (at most 120)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="offer about this many requests/s in all (wrk only; default: as many as it takes)",
    )
    parser.add_argument("--solve-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    duration = max(1, min(args.duration, 120))
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    with tempfile.TemporaryDirectory(prefix="hjemmetjeneste-load-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'load.db'}"
        staff = prepare_store(database_url, args.solve_seconds)
        tokens = tokens_for(staff)
        token_file = Path(tmp) / "tokens.txt"
        token_file.write_text("\n".join(tokens) + "\n")
        port = _free_port()
        server = start_server(database_url, port, args.workers)
        try:
            # Warm-up: every worker prepares the published shift once.
            with httpx.Client(base_url=f"http://{HOST}:{port}") as c:
                for token in tokens * 4:
                    c.get(PATH, headers={"Authorization": token}).raise_for_status()
            load_before = os.getloadavg()
            if use_wrk:
                figures = run_wrk(
                    port, token_file, args.clients, duration, args.wrk_threads, args.rate
                )
            else:
                figures = asyncio.run(_httpx_load(port, tokens, args.clients, duration))
            load_after = os.getloadavg()
        finally:
            stop_server(server)
    raw = figures.pop("raw", None)
    report = {
        "benchmark": "api_load_nurse_worklist",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": load_before,
            "loadavg_after": load_after,
        },
        "config": {
            "clients": args.clients,
            "offered_rate_per_s": args.rate if use_wrk else None,
            "duration_s": duration,
            "uvicorn_workers": args.workers,
            "path": PATH,
            "nurses": len(tokens),
            "guard": "ApiGuard in the path (token check, token buckets with raised rates, "
            "security headers, no-store)",
        },
        **figures,
        "floor": {"requests_per_s": FLOOR_RPS, "p99_ms": CEILING_P99_MS},
        "meets_floor": figures["requests_per_s"] >= FLOOR_RPS
        and figures["p99_ms"] <= CEILING_P99_MS
        and figures["errors"] == 0,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"api_load-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    if raw:
        print(raw)
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=2))
    print(f"machine load average before/after: {load_before} / {load_after}")
    print(f"wrote {path}")
    return 0 if report["meets_floor"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
