"""The demo shop's catalogue: other colours of the demo mug and sizes of the coffee set, so
the returns portal has variants to offer in exchange."""

from __future__ import annotations

from datetime import datetime

from shopcare.db.engine import SessionFactory
from shopcare.services.orders.catalog import VariantIn, save_variants

_VARIANTS = (
    VariantIn("MUG-SAND", "mug", "Ceramic mug", "Sand", 1800),
    VariantIn("MUG-SLATE", "mug", "Ceramic mug", "Slate", 1800),
    VariantIn("MUG-MOSS", "mug", "Ceramic mug", "Moss", 1800),
    VariantIn("MUG-RUST", "mug", "Ceramic mug", "Rust", 1800, available=False),
    VariantIn("POUR-SET", "pour-over", "Pour-over coffee set", "2 cups", 4900),
    VariantIn("POUR-SET-4", "pour-over", "Pour-over coffee set", "4 cups", 4900),
    VariantIn("TOWEL-LIN", "towel", "Linen tea towel", "Natural", 1250),
)


def seed_demo_variants(sessions: SessionFactory, *, now: datetime) -> None:
    save_variants(sessions, _VARIANTS, now=now)
