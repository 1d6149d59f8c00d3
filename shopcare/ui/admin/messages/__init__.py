"""The owner's message pages: which messages go out and on which channels, the templates, and the
dev mailbox.
"""
