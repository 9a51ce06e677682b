"""The utterance cutter, the pace limit and the chunk checks, with a fake clock."""

from __future__ import annotations

import pytest

from heartlink_desktop.core import utterance as ut
from heartlink_desktop.core.errors import CoreError

CHUNK = b"\1\0" * 3200  # 200 ms


def code(payload: object) -> str:
    with pytest.raises(CoreError) as info:
        ut.check_chunk(payload)
    return info.value.code


def test_a_chunk_must_be_binary_whole_samples_and_small() -> None:
    assert ut.check_chunk(CHUNK) == CHUNK
    assert ut.check_chunk(bytearray(b"\0\0")) == b"\0\0"
    assert code("AAAA") == "invalid_payload"
    assert code({"pcm": b"\0\0"}) == "invalid_payload"
    assert code([0, 0]) == "invalid_payload"
    assert code(b"") == "invalid_payload"
    assert code(b"\0\0\0") == "invalid_payload"
    assert ut.check_chunk(b"\0" * ut.MAX_CHUNK_BYTES)
    assert code(b"\0" * (ut.MAX_CHUNK_BYTES + 2)) == "payload_too_large"


def test_real_time_audio_passes_and_audio_past_twice_real_time_is_refused() -> None:
    pace = ut.Pace(now=0.0)
    t = 0.0
    for _ in range(100):  # 20 s of audio at real time
        assert pace.allow(len(CHUNK), t)
        t += 0.2
    # a burst at once: the pre-roll and a little more pass, then it is refused
    allowed = sum(pace.allow(len(CHUNK), t) for _ in range(20))
    assert 5 <= allowed <= 12
    # at three times real time, about a third is refused once the burst is spent
    refused = 0
    for _ in range(150):
        t += 0.2 / 3
        refused += not pace.allow(len(CHUNK), t)
    assert 40 <= refused <= 60
    # and after a pause it passes again
    assert pace.allow(len(CHUNK), t + 2)


def test_chunks_form_an_utterance_ended_by_the_mark() -> None:
    cut = ut.Cutter("s1", now=0.0)
    first = cut.feed(CHUNK, 0.0)
    assert first == [ut.Start(ut.UttId("s1", 1)), ut.Audio(ut.UttId("s1", 1), CHUNK)]
    assert cut.feed(CHUNK, 0.2) == [ut.Audio(ut.UttId("s1", 1), CHUNK)]
    assert cut.end(0.3) == [ut.End(ut.UttId("s1", 1), 0.4, "mark")]
    assert cut.end(0.4) == []  # nothing open
    assert cut.feed(CHUNK, 1.0)[0] == ut.Start(ut.UttId("s1", 2))


def test_an_utterance_the_page_never_ends_ends_after_a_gap() -> None:
    cut = ut.Cutter("s", now=0.0)
    cut.feed(CHUNK, 0.0)
    cut.feed(CHUNK, 0.2)
    assert cut.deadline() == pytest.approx(0.2 + ut.GAP_SECONDS)
    assert cut.due(0.2 + ut.GAP_SECONDS - 0.01) == []
    assert cut.due(0.2 + ut.GAP_SECONDS) == [ut.End(ut.UttId("s", 1), 0.4, "gap")]
    assert cut.deadline() is None and cut.due(100.0) == []


def test_a_long_utterance_is_cut_at_the_longest_and_goes_on() -> None:
    cut = ut.Cutter("s", now=0.0, max_seconds=1.0)
    out: list[ut.Action] = []
    for i in range(8):  # 1.6 s
        out += cut.feed(CHUNK, i * 0.2)
    ends = [a for a in out if isinstance(a, ut.End)]
    assert ends == [ut.End(ut.UttId("s", 1), 1.0, "length")]
    assert [a for a in out if isinstance(a, ut.Start)] == [
        ut.Start(ut.UttId("s", 1)),
        ut.Start(ut.UttId("s", 2)),
    ]
    assert cut.end(2.0) == [ut.End(ut.UttId("s", 2), pytest.approx(0.6), "mark")]


def test_a_click_is_too_short_to_be_an_utterance() -> None:
    cut = ut.Cutter("s", now=0.0)
    cut.feed(b"\0\0" * 800, 0.0)  # 50 ms
    assert cut.end(0.1) == [ut.Drop(ut.UttId("s", 1))]


def test_too_fast_audio_is_refused_without_touching_the_utterance() -> None:
    cut = ut.Cutter("s", now=0.0)
    cut.feed(CHUNK, 0.0)
    with pytest.raises(CoreError) as info:
        for _ in range(50):
            cut.feed(CHUNK, 0.0)
    assert info.value.code == "audio_too_fast"
    before = cut.nbytes
    with pytest.raises(CoreError):
        cut.feed(CHUNK, 0.0)
    assert cut.nbytes == before
    assert cut.end(0.5)[0].uid == ut.UttId("s", 1)  # type: ignore[union-attr]
