"""Carrier adapters by name. Only the composition root builds them; others ask for labels."""

from __future__ import annotations

_LABELS = {
    "simulated": "Simulated carrier",
}


def carrier_label(name: str) -> str:
    return _LABELS.get(name, name.upper() if len(name) <= 4 else name.title())
