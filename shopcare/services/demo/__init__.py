"""The demo shop: its orders, offers and catalogue, for `shopcare run --demo`."""
