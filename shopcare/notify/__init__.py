"""Shopper messages: rendering from templates, and the senders that deliver them."""
