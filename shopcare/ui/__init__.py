"""Thin pages: the admin GUI (NiceGUI) and the public, server-rendered shopper site."""
