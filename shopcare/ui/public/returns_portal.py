"""The returns portal: choose items, a reason for each, photos and a resolution; then follow
the return, print its slip and say which parcel carries it back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from shopcare.domain.money import format_money
from shopcare.domain.numbers import parse_whole
from shopcare.domain.return_policy import (
    MAX_PHOTOS,
    Problem,
    Reason,
    RequestedLine,
    RequestProblem,
    ReturnPolicy,
    one_reason_for_all,
    return_progress,
)
from shopcare.domain.returns import Resolution, ReturnStatus
from shopcare.services.errors import InputError
from shopcare.services.orders.views import OrderView, ReturnView, order_view_by_token
from shopcare.services.returns.labels.views import (
    has_label,
    label_file_by_token,
    reason_postage,
)
from shopcare.services.returns.photos import PHOTO_DIR, PhotoUpload
from shopcare.services.returns.policy import get_policy_settings
from shopcare.services.returns.requests import (
    REASONS,
    ReturnAsk,
    ReturnRefused,
    request_return,
    return_by_token,
    return_options,
)
from shopcare.services.returns.shipments import add_return_parcel
from shopcare.services.shop.profile import get_profile
from shopcare.ui.public.forms import form_fields, form_with_files, see_other, shopper_router
from shopcare.ui.public.pages import not_found
from shopcare.ui.public.return_choice import PREVIEW, choice_context, product_words
from shopcare.ui.public.return_words import (
    NOT_RETURNABLE_WORDS,
    POSTAGE_WORDS,
    PROBLEM_WORDS,
    RESOLUTION_WORDS,
    state_words,
    step_word,
)
from shopcare.ui.public.templating import SECURITY_HEADERS, render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

Message = tuple[str, dict[str, Any]]
"""A msgid and its placeholders, translated and filled in by the template."""
UNREADABLE = "The photos could not be read: attach at most 5 photos of 8 MB each."


def returns_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)

    @router.get("/t/{token}/return")
    def return_form(token: str, request: Request) -> Response:
        return return_form_page(shopcare, request, token)

    @router.post("/t/{token}/return")
    async def return_submit(token: str, request: Request) -> Response:
        try:
            fields, files = await form_with_files(request)
        except (HTTPException, MultiPartException) as exc:
            status = 413 if isinstance(exc, HTTPException) and exc.status_code == 413 else 400
            return await run_in_threadpool(
                return_form_page, shopcare, request, token, errors=[(UNREADABLE, {})], status=status
            )
        photos = [PhotoUpload(f"photo {i}", data) for i, (_n, _t, data) in enumerate(files, 1)]
        return await run_in_threadpool(submit_return, shopcare, request, token, fields, photos)

    @router.get("/r/{token}")
    def return_status(token: str, request: Request) -> Response:
        return return_status_page(shopcare, request, token)

    @router.post("/r/{token}/tracking")
    async def return_tracking(token: str, request: Request) -> Response:
        fields = await form_fields(request)
        return await run_in_threadpool(submit_tracking, shopcare, request, token, fields)

    @router.get("/r/{token}/slip.pdf")
    def return_slip(token: str, request: Request, size: str = "") -> Response:
        return return_slip_response(shopcare, request, token, size=size)

    @router.get("/r/{token}/label")
    def return_label(token: str, request: Request) -> Response:
        return prepaid_label_response(shopcare, request, token)

    return router


def return_form_page(
    shopcare: ShopCare,
    request: Request,
    token: str,
    *,
    fields: Mapping[str, str] | None = None,
    errors: Sequence[Message] = (),
    field_errors: Mapping[str, Sequence[Message]] | None = None,
    status: int = 200,
) -> Response:
    """The form, again with what the shopper typed and each line's problems beside its
    field (``field_errors`` by field name) when a post was refused."""
    order = order_view_by_token(shopcare.sessions, token)
    options = return_options(shopcare.sessions, token, now=shopcare.clock())
    if order is None or options is None:
        return not_found(shopcare, request)
    fields = fields or {}
    locale = order.locale
    items: list[dict[str, Any]] = []
    for line in order.lines:
        option = options.lines[line.id]
        why = ""
        if option.why_not is not None:
            why = NOT_RETURNABLE_WORDS[option.why_not]
        items.append(
            {
                "line": line,
                "option": option,
                "why": why,
                "last_day": option.last_day,
                "qty": fields.get(f"qty_{line.id}", "0"),
                "reason": fields.get(f"reason_{line.id}", ""),
                "exchange": fields.get(f"exchange_{line.id}", ""),
                "products": [product_words(p, order.currency) for p in option.products],
            }
        )
    return render(
        "return_form.html",
        request,
        shopper_locale=locale,
        status_code=status,
        shop=order.shop,
        order=order,
        items=items,
        open_items=[i for i in items if i["option"].returnable],
        reasons=options.reasons,
        default_reasons=REASONS,
        postage={
            code: POSTAGE_WORDS[note]
            for code, note in reason_postage(shopcare.sessions, options.policy).items()
        },
        resolutions=options.resolutions,
        resolution_words=RESOLUTION_WORDS,
        terms=_terms(options.policy, order.currency),
        figures=choice_context(shopcare, token, _chosen(fields), currency=order.currency),
        same_reason=bool(fields.get("same_reason")),
        resolution=fields.get("resolution", "refund"),
        comment=fields.get("comment", ""),
        errors=errors,
        field_errors=field_errors or {},
        max_photos=MAX_PHOTOS,
    )


def submit_return(
    shopcare: ShopCare,
    request: Request,
    token: str,
    fields: Mapping[str, str],
    photos: list[PhotoUpload],
) -> Response:
    order = order_view_by_token(shopcare.sessions, token)
    if order is None:
        return not_found(shopcare, request)
    if fields.get(PREVIEW):
        return return_form_page(shopcare, request, token, fields=fields)
    try:
        ask = ReturnAsk(
            order_token=token,
            lines=requested_lines(fields),
            resolution=fields.get("resolution") or "refund",
            comment=fields.get("comment", ""),
            photos=photos,
        )
        return_token = request_return(
            shopcare.sessions,
            ask,
            now=shopcare.clock(),
            photo_dir=shopcare.settings.data_dir / PHOTO_DIR,
        )
    except ReturnRefused as refused:
        errors = [_problem(p, order) for p in refused.problems]
        beside: dict[str, list[Message]] = {}
        for problem, message in zip(refused.problems, errors, strict=True):
            if problem.line_id is not None:
                beside.setdefault(_field_of(problem), []).append(message)
        return return_form_page(
            shopcare, request, token, fields=fields, errors=errors, field_errors=beside, status=400
        )
    except InputError as problem:
        errors = [(str(problem), {})]
        return return_form_page(shopcare, request, token, fields=fields, errors=errors, status=400)
    return see_other(request, f"/r/{return_token}")


def requested_lines(fields: Mapping[str, str]) -> tuple[RequestedLine, ...]:
    """``qty_<line id>`` with ``reason_<line id>`` and ``exchange_<line id>``, in the form's
    order; with ``same_reason`` ticked the first chosen line's reason goes for all (the
    form works without scripts, so the server applies it). A tampered field is an input
    error, not a 500."""
    lines = []
    for name, value in fields.items():
        if not name.startswith("qty_"):
            continue
        line_id = parse_whole(name.removeprefix("qty_"))
        quantity = parse_whole(value or "0")
        if line_id is None or quantity is None:
            raise InputError("Choose the quantities from the lists.")
        lines.append(
            RequestedLine(
                line_id,
                quantity,
                fields.get(f"reason_{line_id}", ""),
                fields.get(f"exchange_{line_id}", ""),
            )
        )
    return one_reason_for_all(lines) if fields.get("same_reason") else tuple(lines)


def _chosen(fields: Mapping[str, str]) -> tuple[RequestedLine, ...]:
    """The lines a shown-again form had chosen, for its figures; a tampered field is
    reported by the request itself, so here it just means nothing chosen."""
    try:
        return requested_lines(fields)
    except InputError:
        return ()


def _field_of(problem: RequestProblem) -> str:
    """The form field a line's problem is shown beside (and tied to)."""
    kind = {Problem.NO_REASON: "reason", Problem.EXCHANGE_NEEDS_VARIANT: "exchange"}
    return f"{kind.get(problem.code, 'qty')}_{problem.line_id}"


def _problem(problem: RequestProblem, order: OrderView) -> Message:
    titles = {line.id: line.title for line in order.lines}
    params: dict[str, Any] = {
        "item": titles.get(problem.line_id or 0, ""),
        "count": problem.limit,
        "reason": REASONS.get(problem.reason, problem.reason),
    }
    if problem.code is Problem.KEEP_TOO_VALUABLE:
        params["amount"] = format_money(problem.limit, order.currency)
    return PROBLEM_WORDS[problem.code], params


def _terms(policy: ReturnPolicy, currency: str) -> dict[str, Any]:
    """The costs as the shopper reads them before sending the request."""
    percent = policy.restocking_basis_points / 100
    fee_parts = [f"{percent:g} %"] if percent else []
    if policy.restocking_fixed_minor:
        fee_parts.append(format_money(policy.restocking_fixed_minor, currency))
    return {
        "restocking": " + ".join(fee_parts),
        "fee_free": [r for r in policy.reasons if r.code in policy.fee_free_reasons],
        "shopper_pays": policy.shipping_paid_by == "shopper",
        "shipping_fee": format_money(policy.shipping_fee_minor, currency)
        if policy.shipping_fee_minor
        else "",
        "shipping_free": [r for r in policy.reasons if r.code in policy.shipping_free_reasons],
        "keep_below": format_money(policy.keep_below_minor, currency),
    }


def return_status_page(
    shopcare: ShopCare,
    request: Request,
    token: str,
    *,
    errors: Sequence[Message] = (),
    tracking: str = "",
    status: int = 200,
) -> Response:
    found = return_by_token(shopcare.sessions, token)
    if found is None:
        return not_found(shopcare, request)
    view, order_number = found
    policy = get_policy_settings(shopcare.sessions).policy()
    labels: dict[str, Reason] = {r.code: r for r in policy.reasons}
    parcel_back = view.resolution != Resolution.KEEP
    return render(
        "return_status.html",
        request,
        shopper_locale=view.locale,
        status_code=status,
        shop=get_profile(shopcare.sessions),
        ret=view,
        order_number=order_number,
        steps=[
            (step_word(step, state), state)
            for step, state in return_progress(view.status, view.resolution)
        ],
        state_text=state_words(view.status, view.resolution),
        # The slip and "send the items back" only once the owner (or the policy) said yes.
        send_back=parcel_back and view.status == ReturnStatus.APPROVED,
        parcel_form=parcel_back and view.status in (ReturnStatus.APPROVED, ReturnStatus.RECEIVED),
        reason_labels={code: r.label for code, r in labels.items()},
        default_reasons=REASONS,
        resolution_word=RESOLUTION_WORDS.get(view.resolution, view.resolution),
        fee=format_money(view.fee_minor, view.currency) if view.fee_minor else "",
        bonus=format_money(view.bonus_minor, view.currency) if view.bonus_minor else "",
        refund=format_money(view.refund_minor, view.currency)
        if view.refund_minor is not None
        else "",
        errors=errors,
        tracking=tracking,
        prepaid_label=parcel_back
        and view.status == ReturnStatus.APPROVED
        and has_label(shopcare.sessions, token),
    )


def prepaid_label_response(shopcare: ShopCare, request: Request, token: str) -> Response:
    """The carrier's label alone (PDF or PNG), inline like the slip, for a printer of its own."""
    found = label_file_by_token(shopcare.sessions, token)
    if found is None:
        return not_found(shopcare, request)
    data, kind = found
    headers = {k: v for k, v in SECURITY_HEADERS.items() if k != "Content-Security-Policy"}
    ending = "png" if kind == "image/png" else "pdf"
    headers["Content-Disposition"] = f'inline; filename="return-label.{ending}"'
    return Response(data, media_type=kind, headers=headers)


def submit_tracking(
    shopcare: ShopCare, request: Request, token: str, fields: Mapping[str, str]
) -> Response:
    if return_by_token(shopcare.sessions, token) is None:
        return not_found(shopcare, request)
    number = fields.get("tracking_number", "")
    try:
        add_return_parcel(
            shopcare.sessions,
            token,
            tracking_number=number,
            carriers=shopcare.carrier_names,
            now=shopcare.clock(),
        )
    except InputError as problem:
        return return_status_page(
            shopcare, request, token, errors=[(str(problem), {})], tracking=number, status=400
        )
    return see_other(request, f"/r/{token}")


def return_slip_response(
    shopcare: ShopCare, request: Request, token: str, *, size: str = ""
) -> Response:
    """Inline, so a phone opens it in its viewer; no CSP, which some PDF viewers trip over.
    ``?size=a4|letter|label_4x6`` as the Printing page promises; anything else, or none,
    gives the owner's default size."""
    from shopcare.services.returns.print_settings import PageSize
    from shopcare.services.returns.slips import return_slip_by_token

    found = return_by_token(shopcare.sessions, token)
    if found is None:
        return not_found(shopcare, request)
    if not ReturnStatus(found[0].status).slip_ready:
        return slip_not_ready(shopcare, request, found[0])
    settings = shopcare.settings
    pdf = return_slip_by_token(
        shopcare.sessions,
        token,
        public_url=shopcare.public_url,
        size=size if size in {s.value for s in PageSize} else None,
        data_dir=settings.data_dir,
    )
    if pdf is None:
        return not_found(shopcare, request)
    headers = {k: v for k, v in SECURITY_HEADERS.items() if k != "Content-Security-Policy"}
    headers["Content-Disposition"] = f'inline; filename="return-{found[0].rma}.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


def slip_not_ready(shopcare: ShopCare, request: Request, view: ReturnView) -> Response:
    """The slip address opened before the owner decided (kept from an older page, typed in)
    or after a rejection: say why there is none, not a PDF telling them to post a parcel."""
    rejected = view.status == ReturnStatus.REJECTED
    return render(
        "message.html",
        request,
        shopper_locale=view.locale,
        status_code=409,
        shop=get_profile(shopcare.sessions),
        title=N_("No return slip") if rejected else N_("The return slip is not ready yet"),
        text=N_("This return was not accepted, so there is nothing to send back.")
        if rejected
        else N_(
            "We are still reviewing your return. Once it is approved, you can print the slip "
            "here and we will email it to you."
        ),
        links=[(f"/r/{view.token}", N_("See your return"))],
    )
