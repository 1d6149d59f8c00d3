"""A loopback AfterShip (``GET /trackings?tracking_numbers=a,b``, up to 50 numbers a call,
the adapter ShopCare polls 300 parcels a second through), shared by the soak and the polling
freshness benches. Every number is known; its story is a function of the number and the
time, so the bench needs no list:

* label (InfoReceived) 30 h and pick-up (InTransit) 20 h before the server's start ``t0``;
* with ``hub_every`` > 0 a hub scan every ``hub_every`` seconds after ``t0`` (new events at
  each poll, as a busy network gives them);
* out for delivery: for the share ``ofd_share`` of numbers at a moment spread over
  ``ofd_window`` seconds after ``t0``, or when ``POST /control/out-for-delivery?number=&at=``
  says so; delivered ``deliver_after`` seconds later (never when it is 0).

Each call waits ``latency`` seconds; the share ``errors`` of calls get a 503. ``POST
/control/clock?now=`` sets the carrier's "now" (epoch seconds) for a bench on a controlled
clock; ``GET /control/stats`` counts calls and errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from poll import start_server

FAKE_AFTERSHIP = """
import asyncio, hashlib, random, sys, time
from datetime import UTC, datetime
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

PORT = int(sys.argv[1])
T0, LATENCY, ERRORS, OFD_SHARE, OFD_WINDOW, HUB_EVERY, DELIVER_AFTER = map(float, sys.argv[2:9])
rng = random.Random(1)
ofd_at = {}
clock = {"now": None}
stats = {"calls": 0, "errors": 0, "numbers": 0}

def unit(text):
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64

def point(at, tag, subtag, message):
    return {"checkpoint_time": datetime.fromtimestamp(at, UTC).isoformat(), "tag": tag,
            "subtag": subtag, "message": message, "city": "Leipzig", "country_region": "DEU"}

def tracking(number, now):
    points = [point(T0 - 30 * 3600, "InfoReceived", "InfoReceived_001", "Label created"),
              point(T0 - 20 * 3600, "InTransit", "InTransit_002", "Picked up")]
    out = ofd_at.get(number)
    if out is None and unit(number) < OFD_SHARE:
        out = T0 + unit(number + "/ofd") * OFD_WINDOW
    last = now if out is None or out > now else out
    if HUB_EVERY > 0:
        phase = unit(number + "/hub") * HUB_EVERY
        hub = 0
        while T0 + phase + hub * HUB_EVERY <= last:
            points.append(point(T0 + phase + hub * HUB_EVERY, "InTransit", "InTransit_007",
                                f"Departed hub {hub}"))
            hub += 1
    if out is not None and out <= now:
        points.append(point(out, "OutForDelivery", "OutForDelivery_001", "Out for delivery"))
        if DELIVER_AFTER > 0 and out + DELIVER_AFTER <= now:
            points.append(point(out + DELIVER_AFTER, "Delivered", "Delivered_001", "Delivered"))
    return {"id": hashlib.sha256(number.encode()).hexdigest()[:32], "tracking_number": number,
            "slug": "dhl", "tag": points[-1]["tag"], "subtag": points[-1]["subtag"],
            "checkpoints": points}

async def trackings(request):
    stats["calls"] += 1
    await asyncio.sleep(LATENCY)
    if rng.random() < ERRORS:
        stats["errors"] += 1
        return JSONResponse({"meta": {"code": 503, "message": "try later"}}, status_code=503)
    now = clock["now"] or time.time()
    numbers = [n for n in request.query_params.get("tracking_numbers", "").split(",") if n]
    stats["numbers"] += len(numbers)
    return JSONResponse({"meta": {"code": 200}, "data": {
        "trackings": [tracking(n, now) for n in numbers]}})

async def out_for_delivery(request):
    at = float(request.query_params.get("at") or clock["now"] or time.time())
    ofd_at[request.query_params["number"]] = at
    return JSONResponse({"at": at})

async def set_clock(request):
    clock["now"] = float(request.query_params["now"])
    return JSONResponse(clock)

async def get_stats(request):
    return JSONResponse(stats)

app = Starlette(routes=[
    Route("/trackings", trackings),
    Route("/control/out-for-delivery", out_for_delivery, methods=["POST"]),
    Route("/control/clock", set_clock, methods=["POST"]),
    Route("/control/stats", get_stats),
])
uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="error", backlog=4096)
"""


def start_aftership(
    *,
    t0: float,
    latency: float = 0.05,
    errors: float = 0.0,
    ofd_share: float = 0.0,
    ofd_window: float = 0.0,
    hub_every: float = 0.0,
    deliver_after: float = 0.0,
) -> tuple[object, str]:
    """The running fake (a ``subprocess.Popen``: terminate it) and its base URL."""
    args = (t0, latency, errors, ofd_share, ofd_window, hub_every, deliver_after)
    return start_server(FAKE_AFTERSHIP, "/control/stats", tuple(str(a) for a in args))
