"""The owner's settings pages: the shop's profile and look, carriers and tracking, offers, API
keys.
"""
