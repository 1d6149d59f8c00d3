"""The owner's orders pages: the list, one order with its parcels and actions, editing, adding an
order by hand, and the problem reports to answer.
"""
