"""Carrier adapters: one module per API behind ``base.Carrier``."""
