"""Getting orders in from the admin: CSV import, the store connection (Shopify, WooCommerce) and
the platform webhooks received.
"""
