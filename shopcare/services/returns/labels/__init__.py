"""Prepaid return labels bought through the owner's EasyPost or Shippo account: the
settings (the API key sealed at rest), one small client per provider, the purchase that
never buys twice, voiding, and the figures the owner sees.

At approval ``plan_label`` (called by the workflow in its transaction) writes a ``due``
label row and holds the approval email back; ``buy_due_labels`` (the scheduler, or the
owner's "try again") buys it, makes its tracking number the return's parcel and lets the
email go with the label in the slip. A failure lets the email go with the plain slip.
"""
