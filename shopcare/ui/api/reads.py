"""``/api/v1`` reads beside orders: parcels, returns and feedback."""

# No ``from __future__ import annotations`` here: FastAPI reads the route signatures at run
# time, and ``Depends(auth)`` names a value local to the router function.

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from shopcare.domain.status import ShipmentStatus
from shopcare.services.api import reads as api_reads
from shopcare.services.errors import InputError
from shopcare.ui.api.auth import KeyCheck
from shopcare.ui.api.errors import COMMON, NOT_FOUND, invalid
from shopcare.ui.api.params import Cursor, Limit, RowId
from shopcare.ui.api.schemas import (
    FeedbackPage,
    Return,
    ReturnPage,
    Shipment,
    ShipmentPage,
)

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def reads_router(shopcare: "ShopCare", auth: KeyCheck) -> APIRouter:
    router = APIRouter(dependencies=[Depends(auth)], responses={**COMMON})

    @router.get("/shipments", response_model=ShipmentPage, tags=["shipments"])
    def list_shipments(
        status: ShipmentStatus | None = None,
        tracking_number: Annotated[str, Query(max_length=64)] = "",
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> Any:
        """The orders' parcels (not the ones shoppers send back), oldest first."""
        try:
            page = api_reads.list_shipments(
                shopcare.sessions,
                status=status,
                tracking_number=tracking_number,
                cursor=cursor,
                limit=limit,
            )
        except InputError as error:
            raise invalid(("query", "cursor"), str(error)) from error
        return ShipmentPage.model_validate(page, from_attributes=True)

    @router.get(
        "/shipments/{shipment_id}", response_model=Shipment, responses=NOT_FOUND, tags=["shipments"]
    )
    def get_shipment(shipment_id: RowId) -> Any:
        found = api_reads.shipment_by_id(shopcare.sessions, shipment_id)
        if found is None:
            raise HTTPException(404, f"no shipment {shipment_id}")
        return Shipment.model_validate(found)

    @router.get("/returns", response_model=ReturnPage, tags=["returns"])
    def list_returns(
        status: Annotated[str, Query(max_length=32)] = "",
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> Any:
        try:
            page = api_reads.list_returns(
                shopcare.sessions, status=status, cursor=cursor, limit=limit,
                public_url=shopcare.public_url,
            )  # fmt: skip
        except InputError as error:
            raise invalid(("query", "cursor"), str(error)) from error
        return ReturnPage.model_validate(page, from_attributes=True)

    @router.get(
        "/returns/{return_id}", response_model=Return, responses=NOT_FOUND, tags=["returns"]
    )
    def get_return(return_id: RowId) -> Any:
        found = api_reads.return_by_id(shopcare.sessions, return_id, public_url=shopcare.public_url)
        if found is None:
            raise HTTPException(404, f"no return {return_id}")
        return Return.model_validate(found)

    @router.get("/feedback", response_model=FeedbackPage, tags=["feedback"])
    def list_feedback(
        answered: bool | None = None, cursor: Cursor = None, limit: Limit = 50
    ) -> Any:
        """Feedback requests and the shoppers' answers; ``answered=true`` for answers only."""
        try:
            page = api_reads.list_feedback(
                shopcare.sessions, answered=answered, cursor=cursor, limit=limit
            )
        except InputError as error:
            raise invalid(("query", "cursor"), str(error)) from error
        return FeedbackPage.model_validate(page, from_attributes=True)

    return router
