"""Banners and product recommendations on the shopper pages: which one an order sees, the owner's
list, and the in-memory cache that keeps the page from reading them each time.
"""
