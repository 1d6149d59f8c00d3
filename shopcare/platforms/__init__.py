"""Adapters for the shop platforms orders come from (Shopify, WooCommerce): their APIs and
the shapes of their payloads, turned into ``domain.intake.OrderIn``. No store access here."""
