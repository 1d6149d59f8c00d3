"""Resident memory (MB) of `shopcare run --demo` two seconds after /healthz answers, beside a
bare NiceGUI app. Median of 3. Target: at most 1.5x the bare app."""

import json
import statistics

from _server import bare, shopcare

if __name__ == "__main__":
    ours = statistics.median(s.rss_mb for s in shopcare())
    base = statistics.median(s.rss_mb for s in bare())
    print(f"shopcare run --demo: {ours:.0f} MB RSS; bare NiceGUI: {base:.0f} MB")
    print(
        json.dumps(
            {
                "bench": "startup_memory",
                "value": round(ours, 1),
                "unit": "MB",
                "baseline": round(base, 1),
                "ratio": round(ours / base, 2),
                "target": 1.5,
            }
        )
    )
