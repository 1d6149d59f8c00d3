"""Tracking page throughput: ``/t/{token}`` of a store with 100,000 orders, served by the real
app (``shopcare run``: NiceGUI's uvicorn, one worker, uvloop and httptools), loaded with ``wrk``
at 32 connections, each request for a random order's token. Beside it, in the same run and with
the same load, two baselines on the same uvicorn:

- fair: a bare Starlette route that runs the page's own queries with the database driver alone
  (stdlib ``sqlite3``; ``psycopg`` on PostgreSQL) against the same store and renders the same
  template with the same context (``bench/_fair_baseline.py``): what ShopCare costs beyond it
  is framework and ORM. Targets: >= 0.6 of its req/s, and p99 < 50 ms.
- bare: the same page's bytes, rendered once (targets: >= 0.5, p99 < 100 ms).

And the repeat view: one browser (a fixed CSRF cookie) asking again with ``If-None-Match``,
answered ``304 Not Modified`` (``not_modified_*``).

    python bench/tracking_page.py [--orders 100000] [--seconds 15] [--connections 32]
    python bench/tracking_page.py --database-url postgresql+psycopg://user@host:port
        [--database-prefix NAME]   # PostgreSQL (also SHOPCARE_DATABASE_URL): a server URL
    python bench/tracking_page.py --profile 2000   # where one request's time goes (cProfile)

The store is generated once and copied for each run (``bench/_tracking_store.py``).
"""

from __future__ import annotations

import argparse
import cProfile
import difflib
import io
import json
import os
import pstats
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _tracking_store import Store, fresh_store

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.ui.public.csrf import COOKIE

WRK = "/usr/bin/wrk"
FAIR = Path(__file__).resolve().parent / "_fair_baseline.py"
BROWSER = "bench-browser-cookie-0000000001"
"""The repeat viewer's CSRF cookie: the page's forms, and so its ETag, are made for it."""
REPEATED_TOKENS = 1000

LUA_DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"mean_us": %.1f, "errors": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
"""
LUA = (
    """
local tokens = {}
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
function request()
  return wrk.format("GET", "/t/" .. tokens[math.random(#tokens)])
end
"""
    + LUA_DONE
)
LUA_REPEAT = (
    """
local requests = {}
function init(args)
  for line in io.lines(args[1]) do
    local token, etag = line:match("^(%S+) (%S+)$")
    requests[#requests + 1] = wrk.format("GET", "/t/" .. token,
      {["If-None-Match"] = etag, ["Cookie"] = args[2]})
  end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
function request()
  return requests[math.random(#requests)]
end
"""
    + LUA_DONE
)
"""Each line of the file: a token and the ETag the browser holds for it (wrk counts only
statuses from 400 as errors: 304 is a success here, and checked before the load)."""

BARE = """
import json, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

body = open(sys.argv[2], "rb").read()
headers = json.load(open(sys.argv[3]))

async def page(request):
    return Response(body, headers=headers)

async def health(request):
    return Response(b'{"status": "ok"}', media_type="application/json")

app = Starlette(routes=[Route("/t/{token}", page), Route("/healthz", health)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- servers and load -----------------------------------------------------------------------


def start(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"{command[:3]} exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{command[:3]} did not answer /healthz")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wrk(
    url: str, data: Path, *, seconds: int, connections: int, script: str = LUA, extra: str = ""
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
               "-s", lua.name, url, "--", str(data), extra]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    match = re.search(r"^RESULT (\{.*\})$", out, re.MULTILINE)
    if not match:
        raise RuntimeError(f"no result from wrk:\n{out}")
    result: dict[str, Any] = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def load(url: str, data: Path, *, seconds: int, connections: int, **how: str) -> dict[str, Any]:
    wrk(url, data, seconds=3, connections=connections, **how)  # warm-up: caches, threads
    return wrk(url, data, seconds=seconds, connections=connections, **how)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    if not Path(WRK).exists():
        raise SystemExit(f"{WRK} is missing: apt-get install wrk (Debian package 'wrk')")
    store = fresh_store(args.orders, server=args.database_url, prefix=args.database_prefix)
    try:
        return _measure(args, store)
    finally:
        store.remove()


def _measure(args: argparse.Namespace, store: Store) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCARE_")}
    env.update(store.env())
    tokens = store.tokens
    first = tokens.read_text().split()[0]
    timing = {"seconds": args.seconds, "connections": args.connections}
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "shopcare", "run", "--port", str(port)], port, env)
    try:
        sample = httpx.get(f"{app_url}/t/{first}", cookies={COOKIE: BROWSER})
        sample.raise_for_status()
        real = load(app_url, tokens, **timing)
        held = _etags(app_url, tokens, store.data_dir.parent / "etags.txt")
        repeat = load(app_url, held, script=LUA_REPEAT, extra=f"{COOKIE}={BROWSER}", **timing)
        views = store.count("page_view")
    finally:
        stop(server)
    port = free_port()
    fair_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(FAIR), str(port), str(store.data_dir), store.url]
    fair_proc = start(command, port, env)
    try:
        same = httpx.get(f"{fair_url}/t/{first}", cookies={COOKIE: BROWSER}).content
        if same != sample.content:
            diff = difflib.unified_diff(
                sample.text.splitlines(), same.decode().splitlines(), "ShopCare", "fair", n=0
            )
            raise RuntimeError("the fair baseline's page differs:\n" + "\n".join(diff))
        fair = load(fair_url, tokens, **timing)
    finally:
        stop(fair_proc)
    body, headers = _bare_inputs(sample, store.data_dir.parent)
    port = free_port()
    bare_proc = start([sys.executable, "-c", BARE, str(port), str(body), str(headers)], port, env)
    try:
        bare = load(f"http://127.0.0.1:{port}", tokens, **timing)
    finally:
        stop(bare_proc)
    results = {"real": real, "fair": fair, "bare": bare, "repeat": repeat}
    return _report(args, store, results, page_bytes=len(sample.content), views=views)


def _etags(app_url: str, tokens: Path, path: Path) -> Path:
    """One browser's ETags for some orders (its own CSRF cookie), checked to come back 304."""
    chosen = random.Random(2).sample(tokens.read_text().split(), REPEATED_TOKENS)
    lines = []
    with httpx.Client(base_url=app_url, cookies={COOKIE: BROWSER}) as browser:
        for token in chosen:
            lines.append(f"{token} {browser.get(f'/t/{token}').headers['etag']}")
        for line in lines[:20]:
            token, etag = line.split()
            status = browser.get(f"/t/{token}", headers={"If-None-Match": etag}).status_code
            if status != 304:
                raise RuntimeError(f"a repeat view was answered {status}, not 304")
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def _bare_inputs(sample: httpx.Response, folder: Path) -> tuple[Path, Path]:
    body = folder / "page.html"
    body.write_bytes(sample.content)
    skip = {"content-length", "date", "server", "set-cookie"}
    headers = folder / "headers.json"
    headers.write_text(json.dumps({k: v for k, v in sample.headers.items() if k not in skip}))
    return body, headers


def _ms(us: float) -> float:
    return round(us / 1000, 2)


def _report(
    args: argparse.Namespace, store: Store, results: dict[str, dict[str, Any]], *,
    page_bytes: int, views: int,
) -> dict[str, Any]:  # fmt: skip
    real, fair, bare, repeat = (results[k] for k in ("real", "fair", "bare", "repeat"))
    ratio = real["rps"] / bare["rps"]
    fair_ratio = real["rps"] / fair["rps"]
    for name, r in (
        ("/t/{token} (ShopCare)", real),
        ("  repeat view, 304", repeat),
        ("fair: Starlette + driver", fair),
        ("bare Starlette, same bytes", bare),
    ):
        print(
            f"{name:28} {r['rps']:8.0f} req/s  p50 {r['p50_us'] / 1000:6.1f} ms  "
            f"p99 {r['p99_us'] / 1000:6.1f} ms  errors {r['errors']}  non-2xx {r['non_2xx']}"
        )
    print(
        f"{args.orders} orders on {store.kind}, {args.connections} connections, {args.seconds} s "
        f"each, wrk -t2; page {page_bytes} bytes; page views recorded: {views}; fair ratio "
        f"{fair_ratio:.2f} (target 0.6, p99 target 50 ms); bare ratio {ratio:.2f} (target 0.5)"
    )
    if any(r["errors"] or r["non_2xx"] for r in (real, repeat)):
        print("WARNING: the real app answered with errors")
    return {
        "bench": "tracking_page",
        "value": round(real["rps"], 1),
        "unit": "req/s",
        "baseline": round(bare["rps"], 1),
        "ratio": round(ratio, 3),
        "target": 0.5,
        "p50_ms": _ms(real["p50_us"]),
        "p99_ms": _ms(real["p99_us"]),
        "baseline_p99_ms": _ms(bare["p99_us"]),
        "fair_baseline": round(fair["rps"], 1),
        "fair_ratio": round(fair_ratio, 3),
        "fair_target": 0.6,
        "fair_baseline_p99_ms": _ms(fair["p99_us"]),
        "p99_target_ms": 50,
        "not_modified_rps": round(repeat["rps"], 1),
        "not_modified_p50_ms": _ms(repeat["p50_us"]),
        "not_modified_p99_ms": _ms(repeat["p99_us"]),
        "database": store.kind,
    }


# --- where the time goes --------------------------------------------------------------------


def profile(args: argparse.Namespace, requests: int) -> None:
    """The tracking route's work called in-process, one request after another, under
    cProfile (the server runs it in worker threads, where a profiler attached to the
    server's main thread sees nothing)."""
    from starlette.requests import Request

    from shopcare.ui.public.conditional import Validators
    from shopcare.ui.public.csrf import csrf_dependency
    from shopcare.ui.public.routes import tracking_page_response

    store = fresh_store(args.orders, server=args.database_url, prefix=args.database_prefix)
    tokens = store.tokens.read_text().split()
    app = build(load_settings(store.env(), data_dir=str(store.data_dir)))
    validators = Validators()
    keyed = csrf_dependency(app.settings.secret)
    scope = {"type": "http", "method": "GET", "path": "/t/x", "headers": [],
             "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("127.0.0.1", 80)}  # fmt: skip

    def call(token: str) -> None:
        request = Request(dict(scope))
        keyed(request)
        tracking_page_response(app, token, request, validators=validators)

    rng = random.Random(1)
    for _ in range(20):  # imports, template compilation, caches
        call(rng.choice(tokens))
    began = time.perf_counter()
    for _ in range(requests):
        call(rng.choice(tokens))
    plain = (time.perf_counter() - began) / requests
    print(f"{requests} calls in-process, one thread: {plain * 1000:.2f} ms per page")
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        call(rng.choice(tokens))
    profiler.disable()
    elapsed = time.perf_counter() - began
    print(f"{requests} calls in-process: {elapsed / requests * 1000:.2f} ms per page (profiled)")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"shopcare", 40)
    stats.print_callers(r"(engine.py.*transaction|session.py.*\(commit\))")
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())
    app.engine.dispose()
    store.remove()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--profile", type=int, metavar="REQUESTS", default=0)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SHOPCARE_DATABASE_URL", ""),
        help="a PostgreSQL server (postgresql+psycopg://user@host:port): run there",
    )
    parser.add_argument(
        "--database-prefix", default="shopcare", help="names of the bench's PostgreSQL databases"
    )
    arguments = parser.parse_args()
    if arguments.profile:
        profile(arguments, arguments.profile)
    else:
        print(json.dumps(measure(arguments)))
