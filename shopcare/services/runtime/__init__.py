"""The running process and its store: whether the store can be written now, and the leases that
tell one process from another.
"""
