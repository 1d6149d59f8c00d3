"""What the demo shop sells: shared by today's orders and the months of history before them."""

from __future__ import annotations

from typing import Final


def swatch(color: str) -> str:
    """A product picture that needs no network: a rounded square in the product's colour."""
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'>"
        f"<rect width='8' height='8' rx='1.5' fill='{color}'/></svg>"
    )
    return "data:image/svg+xml," + svg.replace("<", "%3C").replace(">", "%3E").replace("#", "%23")


PRODUCTS: Final = (  # title, sku, variant, product key, tags, price, colour, weight
    ("Ceramic mug", "MUG-SAND", "Sand", "mug", "ceramics,kitchen", 1800, "#d6c3a5", 20),
    ("Ceramic mug", "MUG-SLATE", "Slate", "mug", "ceramics,kitchen", 1800, "#5f6b73", 12),
    ("Ceramic mug", "MUG-MOSS", "Moss", "mug", "ceramics,kitchen", 1800, "#7a8b5c", 10),
    ("Linen tea towel", "TOWEL-LIN", "Natural", "towel", "textiles,kitchen", 1250, "#c9b99b", 14),
    ("Pour-over coffee set", "POUR-SET", "2 cups", "pour-over", "coffee,gift", 4900, "#5b4636", 9),
    ("Single-origin beans, 250 g", "BEANS-250", "", "beans", "coffee,consumable", 1450,
     "#3b2a20", 25),
)  # fmt: skip
