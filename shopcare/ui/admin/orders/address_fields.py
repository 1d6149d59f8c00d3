"""The shipping address fields, shared by the Add order form and the Edit order dialog.

The country is chosen by name from a select that filters as the owner types; the order
keeps its ISO code. Return slips and packing slips print what is entered here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from shopcare.services.shop.countries import country_names


@dataclass(frozen=True)
class Address:
    name: str = ""
    address1: str = ""
    address2: str = ""
    postcode: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    """ISO 3166 two-letter code, or "" when none was chosen."""
    phone: str = ""


class AddressFields:
    """Name on the parcel, two street lines, postcode, city, region, country, phone."""

    def __init__(self, *, prefix: str = "") -> None:
        def mark(name: str) -> str:
            return f"{prefix}{name}"

        with ui.grid(columns=3).classes("w-full"):
            self.name = ui.input("Name on the parcel").mark(mark("ship-name"))
            self.address1 = ui.input("Address line 1").mark(mark("address1"))
            self.address2 = ui.input("Address line 2 (optional)").mark(mark("address2"))
            self.postcode = ui.input("Postcode").mark(mark("postcode"))
            self.city = ui.input("City").mark(mark("city"))
            self.region = ui.input("Region or state (optional)").mark(mark("region"))
            self.country = ui.select(
                country_names(), label="Country", with_input=True, clearable=True
            ).mark(mark("country"))
            self.phone = ui.input("Phone (optional)").mark(mark("phone"))

    def value(self) -> Address:
        return Address(
            name=(self.name.value or "").strip(),
            address1=(self.address1.value or "").strip(),
            address2=(self.address2.value or "").strip(),
            postcode=(self.postcode.value or "").strip(),
            city=(self.city.value or "").strip(),
            region=(self.region.value or "").strip(),
            country=str(self.country.value or ""),
            phone=(self.phone.value or "").strip(),
        )

    def fill(self, address: Address) -> None:
        self.name.value = address.name
        self.address1.value = address.address1
        self.address2.value = address.address2
        self.postcode.value = address.postcode
        self.city.value = address.city
        self.region.value = address.region
        # A code CLDR does not name (a platform's 'UK') is offered as it is, so saving
        # other changes never clears it.
        options = dict(country_names())
        if address.country and address.country not in options:
            options[address.country] = address.country
        self.country.set_options(options, value=address.country or None)
        self.phone.value = address.phone
