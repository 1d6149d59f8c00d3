"""A token endpoint for the OAuth carriers' tests: each request is issued the next numbered
token (``ups-token-1``, ``ups-token-2``…), so a test can tell a refresh from a reuse."""

from __future__ import annotations

from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture


def serve_tokens(
    server: CarrierServer, *, carrier: str, path: str, name: str = "token.json"
) -> list[str]:
    """Answers POST ``path`` with the carrier's token fixture ``name``; returns the tokens
    issued so far, which grows as the adapter asks."""
    issued: list[str] = []

    def token(request: Request) -> Reply:
        issued.append(f"{carrier}-token-{len(issued) + 1}")
        body = fixture(carrier, name).replace(f"{carrier}-token-1", issued[-1])
        return Reply(200, body)

    server.route("POST", path, token)
    return issued
