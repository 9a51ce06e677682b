"""The wire's checks that run before anything decodes a packet: its size and its depth."""

from __future__ import annotations

import json
import logging

import pytest

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.server import wire


def test_nesting_is_read_without_decoding_and_strings_do_not_count() -> None:
    assert wire.nesting('["a",{"b":[1,2,{"c":[]}]}]') == 5
    assert wire.nesting('["[[[[", "\\"[[[", "\\\\", [1]]') == 2
    assert wire.nesting("[" * 5000) == 5000
    with pytest.raises(CoreError) as refused:
        wire.check_packet("2" + "[" * (wire.MAX_DEPTH + 1) + "]" * (wire.MAX_DEPTH + 1))
    assert refused.value.code == "invalid_payload"
    wire.check_packet('2["join",' + json.dumps({"text": "[" * 100}) + "]")  # brackets in a string


def test_bad_input_is_logged_once_per_kind_per_minute_with_a_count(caplog: pytest.LogCaptureFixture) -> None:
    from heartlink_desktop.server.protocol import Complaints

    now = [0.0]
    complaints = Complaints(every=60.0, clock=lambda: now[0])
    caplog.set_level(logging.WARNING)
    assert complaints.note("invalid_payload", "too deep")
    assert not complaints.note("invalid_payload", "too deep")
    assert not complaints.note("invalid_payload", "too deep")
    assert complaints.note("unknown_event", "another kind")  # its own allowance
    now[0] = 61.0
    assert complaints.note("invalid_payload", "too deep")
    assert [r.getMessage() for r in caplog.records] == [
        "too deep",
        "another kind",
        "too deep (2 more of this kind since the last line)",
    ]
    assert not any(r.exc_info for r in caplog.records)
