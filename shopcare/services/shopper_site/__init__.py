"""What shoppers see on the public site: the tracking page, order lookup, the account link, problem
reports, feedback, the shop's look, and the page views counted for the owner.
"""
