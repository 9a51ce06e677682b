"""The wire's checks that run before anything decodes a packet: its size and its depth."""

from __future__ import annotations

import json

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
