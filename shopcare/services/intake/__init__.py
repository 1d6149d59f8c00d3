"""How orders come in: the Add order form, CSV files, the shop platforms (Shopify,
WooCommerce: backfill, reconcile, webhooks) and the REST API.

Every source turns what it reads into ``domain.intake.OrderIn`` and hands it to one writer
(``writer.write_orders``), which creates or updates the order, its customer, lines and
parcels, picks the carrier of a new tracking number, and queues the confirmation when the
order is new and recent, all in the caller's transaction.
"""
