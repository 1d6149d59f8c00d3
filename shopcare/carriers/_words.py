"""The words by which carriers tell a failed delivery attempt in a scan's text, in every
language we have seen them in, kept in this one table (docs/carriers.md lists it).

Carriers and aggregators often file "Customer not available" or "Empfänger nicht angetroffen"
under an exception-type code (EasyPost ``failure``, FedEx ``SE``, UPS ``X``, 17TRACK
``Exception``, AfterShip ``Exception``, Ship24 ``exception``, Shippo ``FAILURE``, DHL
``failure``). For the owner and the shopper that is a missed delivery the carrier will try
again, not a problem with the parcel. Each adapter applies this table only where its code
says "exception" (or "failure"), so a code that already names the attempt, the pickup or
the return keeps its meaning, and a return named in the text wins over an attempt.

Text is compared lower-cased, with accents taken off ("Empfänger" matches "empfanger"), so
the table is written without accents. Polish "ł" has no accent to take off and is written
as is.
"""

from __future__ import annotations

import unicodedata

FAILED_ATTEMPT_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "attempted delivery",
        "delivery attempt",
        "customer not available",
        "customer was not available",
        "customer not home",
        "recipient not available",
        "recipient was not available",
        "recipient not home",
        "receiver not available",
        "receiver was not available",
        "addressee not available",
        "consignee not available",
        "not available for delivery",
        "no one home",
        "no one at home",
        "nobody home",
        "nobody at home",
        "no one available",
        "nobody available",
        "not at home",
        "business closed",
        "business was closed",
        "we missed you",
        "notice left",
    ),
    "de": (
        "nicht angetroffen",
        "zustellversuch",
        "nicht zu hause",
        "benachrichtigungskarte",
    ),
    "fr": (
        "destinataire absent",
        "destinataire non present",
        "absent lors de la livraison",
        "tentative de livraison",
        "avis de passage",
    ),
    "es": (
        "destinatario ausente",
        "destinatario no disponible",
        "intento de entrega",
        "nadie en casa",
        "no se encontraba",
    ),
    "pt": ("tentativa de entrega", "destinatario nao encontrado"),
    "nl": ("niet thuis", "niet aanwezig", "bezorgpoging", "geen gehoor"),
    "it": (
        "destinatario assente",
        "destinatario non presente",
        "tentativo di consegna",
        "mancata consegna per assenza",
    ),
    "pl": ("adresat nieobecny", "nieobecnosc adresata", "proba doreczenia", "awizo"),
}
_PHRASES = tuple(phrase for phrases in FAILED_ATTEMPT_WORDS.values() for phrase in phrases)


def plain(words: str) -> str:
    """Lower case without accents: "Empfänger nicht angetroffen" -> "empfanger nicht
    angetroffen"."""
    decomposed = unicodedata.normalize("NFKD", words.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def says_failed_attempt(*texts: str) -> bool:
    """Whether any of ``texts`` tells of a delivery the carrier tried and could not make."""
    words = plain(" ".join(texts))
    return any(phrase in words for phrase in _PHRASES)
