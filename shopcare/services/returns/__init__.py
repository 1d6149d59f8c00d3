"""Returns: requests under the shop's policy, the owner's review, exchanges and store credit, the
parcel coming back, photos, history and the printable slips.
"""
