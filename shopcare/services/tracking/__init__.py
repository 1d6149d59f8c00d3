"""Following parcels: recording what carriers say, polling them within their budgets, believing
their pushes, the owner's carrier accounts and tracking settings.
"""
