"""Seconds from `shopcare run --demo` (fresh data dir) to a 200 on /healthz, beside a bare
NiceGUI app started the same way. Median of 3. Target: at most 2x the bare app."""

import json
import statistics

from _server import bare, shopcare

if __name__ == "__main__":
    ours = statistics.median(s.seconds for s in shopcare())
    base = statistics.median(s.seconds for s in bare())
    print(f"shopcare run --demo: {ours:.2f} s to /healthz; bare NiceGUI: {base:.2f} s")
    print(
        json.dumps(
            {
                "bench": "startup_time",
                "value": round(ours, 3),
                "unit": "s",
                "baseline": round(base, 3),
                "ratio": round(ours / base, 2),
                "target": 2.0,
            }
        )
    )
