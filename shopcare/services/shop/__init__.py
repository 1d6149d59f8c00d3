"""Shop settings: the shop's profile and look, settings kept as one JSON row per group, and
countries.
"""
