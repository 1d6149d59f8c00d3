"""The returns portal's words for the policy's codes: presentation, not rules. Each is passed
through ``_()`` when shown, with its placeholders filled in there (so shop data in them is
escaped); ``N_`` marks them for the catalogs."""

from __future__ import annotations

from shopcare.domain.return_labels import PostageNote
from shopcare.domain.return_policy import NotReturnable, Problem, ReturnStep
from shopcare.domain.returns import Resolution, ReturnStatus
from shopcare.ui.public.words import N_

PROBLEM_WORDS: dict[Problem, str] = {
    Problem.NOTHING_CHOSEN: N_("Choose at least one item to return."),
    Problem.NEGATIVE: N_("Quantities cannot be negative."),
    Problem.NOT_RETURNABLE: N_("%(item)s cannot be returned any more."),
    Problem.TOO_MANY: N_("At most %(count)s of %(item)s can be returned."),
    Problem.OVER_ORDER_LIMIT: N_("At most %(count)s more items of this order can be returned."),
    Problem.NO_REASON: N_("Choose a reason for %(item)s."),
    Problem.PHOTO_NEEDED: N_("Add a photo: the reason “%(reason)s” needs one."),
    Problem.COMMENT_NEEDED: N_("Tell us more in the comment: the reason “%(reason)s” needs it."),
    Problem.RESOLUTION_NOT_OFFERED: N_("Choose how you would like the return settled."),
    Problem.KEEP_TOO_VALUABLE: N_(
        "Keeping the item is possible only below %(amount)s; %(item)s is worth more."
    ),
    Problem.EXCHANGE_NEEDS_VARIANT: N_("Choose the variant you want instead of %(item)s."),
    Problem.NO_OTHER_VARIANT: N_(
        "There is no other variant of %(item)s to exchange it for: send it in a separate return."
    ),
    Problem.TOO_MANY_PHOTOS: N_("Attach at most %(count)s photos."),
    Problem.PHOTO_TYPE: N_("Photo %(count)s is not a JPEG, PNG, WebP or HEIC image."),
    Problem.PHOTO_TOO_LARGE: N_("Photo %(count)s is larger than 8 MB."),
}

POSTAGE_WORDS: dict[PostageNote, str] = {
    PostageNote.SHOPPER_PAYS: N_("return postage paid by you"),
    PostageNote.FREE_POSTAGE: N_("free return postage"),
    PostageNote.FREE_LABEL: N_("free return label"),
}
"""Beside a reason in the portal, when the policy makes the shopper pay for some reasons
and the shop for others."""

# Messages of the services shown as they are: the same words, so the catalogs translate them.
SERVICE_WORDS: tuple[str, ...] = (
    N_("Choose the quantities from the lists."),
    N_("Enter the tracking number as the carrier printed it."),
    N_("This return is closed."),
    N_("This return has enough tracking numbers."),
    N_("This is the number of the parcel we sent you, not yours."),
    N_("The photos could not be read: attach at most 5 photos of 8 MB each."),
)

NOT_RETURNABLE_WORDS: dict[NotReturnable, str] = {
    NotReturnable.ALREADY_RETURNED: N_("already returned"),
    NotReturnable.FINAL_SALE: N_("final sale"),
    NotReturnable.WINDOW_CLOSED: N_("return window closed on %(date)s"),
    NotReturnable.MAX_REACHED: N_("this order's return limit is reached"),
}

RESOLUTION_WORDS: dict[str, str] = {
    Resolution.REFUND: N_("Refund"),
    Resolution.EXCHANGE: N_("Exchange for another variant"),
    Resolution.STORE_CREDIT: N_("Store credit"),
    Resolution.KEEP: N_("Keep the item and get a refund"),
}

RETURN_STEP_WORDS: dict[ReturnStep, str] = {
    ReturnStep.REQUESTED: N_("Requested"),
    ReturnStep.APPROVED: N_("Approved"),
    ReturnStep.REJECTED: N_("Not accepted"),
    ReturnStep.RECEIVED: N_("Received"),
    ReturnStep.REFUNDED: N_("Refunded"),
    ReturnStep.EXCHANGED: N_("Exchanged"),
    ReturnStep.CREDITED: N_("Store credit issued"),
}

RETURN_STEP_NOW_WORDS: dict[ReturnStep, str] = {
    ReturnStep.APPROVED: N_("Under review"),
    ReturnStep.RECEIVED: N_("Send the items back"),
    ReturnStep.REFUNDED: N_("Refund in progress"),
    ReturnStep.EXCHANGED: N_("Exchange in progress"),
    ReturnStep.CREDITED: N_("Store credit in progress"),
}
"""The step under way, named for what is happening, not for the outcome it leads to: a
request waiting for the owner shows "Under review", never "Approved"."""

RETURN_STATE_WORDS: dict[str, str] = {
    ReturnStatus.REQUESTED: N_("We will review your request and let you know by email."),
    ReturnStatus.APPROVED: N_("Approved: please send the items back with the return slip."),
    ReturnStatus.RECEIVED: N_("Received: we are checking the items."),
    ReturnStatus.REFUNDED: N_("Refunded"),
    ReturnStatus.EXCHANGED: N_("Exchanged"),
    ReturnStatus.CREDITED: N_("Store credit issued"),
    ReturnStatus.REJECTED: N_("Not accepted"),
}
KEEP_APPROVED_WORDS = N_(
    "Approved: you can keep the items; there is no need to send anything back."
)


def step_word(step: ReturnStep, state: str) -> str:
    if state == "current":
        return RETURN_STEP_NOW_WORDS.get(step, RETURN_STEP_WORDS[step])
    return RETURN_STEP_WORDS[step]


def state_words(status: str, resolution: str) -> str:
    """What the return is at, in one sentence; "" for a status this code does not know."""
    if status == ReturnStatus.APPROVED and resolution == Resolution.KEEP:
        return KEEP_APPROVED_WORDS
    return RETURN_STATE_WORDS.get(status, "")
