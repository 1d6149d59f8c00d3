"""What ``shopcare run --native`` decides, without a window (the window itself:
test_desktop_window.py, opt-in)."""

import pytest

from shopcare.ui.desktop import (
    KEEP_SERVING_EXIT,
    AfterClose,
    after_close,
    local_admin_url,
    still_serving_note,
)


def test_the_server_keeps_serving_only_when_the_owner_said_so() -> None:
    assert after_close(KEEP_SERVING_EXIT) is AfterClose.KEEP_SERVING


@pytest.mark.parametrize("exit_code", [0, 1, -9, -15, None])
def test_a_no_a_crash_or_a_killed_window_stops_the_server(exit_code: int | None) -> None:
    assert after_close(exit_code) is AfterClose.STOP


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080/admin"),
        ("0.0.0.0", "http://127.0.0.1:8080/admin"),
        ("::", "http://[::1]:8080/admin"),
        ("::1", "http://[::1]:8080/admin"),
        ("localhost", "http://localhost:8080/admin"),
    ],
)
def test_the_window_opens_the_admin_on_this_machine(host: str, url: str) -> None:
    assert local_admin_url(host=host, port=8080) == url


def test_the_note_says_where_shoppers_are_served_and_how_to_stop() -> None:
    note = still_serving_note(public_url="https://track.example.com", pid=4242)
    assert "https://track.example.com" in note
    assert "Ctrl+C" in note and "kill 4242" in note
