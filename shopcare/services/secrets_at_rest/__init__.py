"""Secrets at rest: the box that encrypts them, the data dir's key file and its rotation, and the
walk over every stored secret.
"""
