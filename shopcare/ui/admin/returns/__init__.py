"""The owner's returns pages: the queue, one return and its actions, the return policy, and
printing slips.
"""
