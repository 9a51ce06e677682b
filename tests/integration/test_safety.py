"""Safe to meet strangers, with real clients: leave and report, the host removes someone, and
who meets whom in the queue."""

from __future__ import annotations

from typing import Any

import pytest

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.server.host import HostServer
from tests.support import Clients, Peer, Serve, until

pytestmark = pytest.mark.asyncio

DEVICES = {name: f"device-of-{name.lower()}-0123456789abcdef" for name in ("Ann", "Bob", "Cat", "Dan", "Eve")}


async def join(peer: Peer, name: str, **profile: Any) -> dict[str, Any]:
    """Join as the page does: the profile, and the page's own secret."""
    n = len(peer.received["session_info"]) + len(peer.received["queued"]) + 1
    payload = {"room": "matchmaking", "profile": {"name": name, **profile}, "device": DEVICES[name]}
    await peer.emit("join", payload)
    while len(peer.received["session_info"]) + len(peer.received["queued"]) < n:
        await peer.wait_for("session_info", len(peer.received["session_info"]) + 1, timeout=10)
    return peer.received["session_info"][-1] if peer.received["session_info"] else {}


async def pair(clients: Clients, a: str, b: str) -> tuple[Peer, Peer]:
    pa, pb = await clients.new(a), await clients.new(b)
    await join(pa, a)
    await join(pb, b)
    await pa.wait_for("user_joined")
    return pa, pb


async def test_a_report_ends_the_call_and_the_partner_learns_only_that_they_left(
    serve: Serve,
) -> None:
    host, clients = await serve(max_pairs=3, queue=True, grace_seconds=0)
    ann, bob = await pair(clients, "Ann", "Bob")
    await ann.emit("report", {"reason": "uncomfortable", "note": "Said rude things.\nTwice."})
    assert await ann.wait_for("report_received") == {}
    ended = await bob.wait_for("session_ended")
    assert ended["reason"] == "peer_left"
    assert (await ann.wait_for("session_ended"))["reason"] == "peer_left"
    seen_by_bob = repr(bob.received)
    assert "report" not in seen_by_bob.lower() and "uncomfortable" not in seen_by_bob
    [report] = host.guard.reports()
    assert (report.reporter_name, report.reported_name, report.reason) == ("Ann", "Bob", "uncomfortable")
    assert report.note == "Said rude things. Twice."
    assert report.line().endswith("Ann reported Bob (uncomfortable).")


async def test_the_two_are_never_seated_together_again_even_on_new_sockets(serve: Serve) -> None:
    host, clients = await serve(max_pairs=3, queue=True, grace_seconds=0)
    ann, bob = await pair(clients, "Ann", "Bob")
    await ann.emit("report", {"reason": "fake"})
    await bob.wait_for("session_ended")
    await ann.close()
    await bob.close()
    ann2, bob2 = await clients.new("Ann"), await clients.new("Bob")
    first = await join(ann2, "Ann")
    second = await join(bob2, "Bob")
    assert first["status"] == "waiting" and second["status"] == "waiting", "never seated together"
    assert first["session_id"] != second["session_id"]
    cat = await clients.new("Cat")
    seated = await join(cat, "Cat")
    assert seated["status"] == "active" and seated["peer"]["profile"]["name"] == "Ann"  # waited longest
    assert host.rooms.locate(bob2.sid) is not None


async def test_a_bad_report_is_refused_whole_and_a_late_one_has_no_partner(serve: Serve) -> None:
    host, clients = await serve(max_pairs=2, grace_seconds=0)
    ann, bob = await pair(clients, "Ann", "Bob")
    await ann.emit("report", {"reason": "rude"})
    assert (await ann.error())["error"] == "invalid_payload"
    await ann.emit("report", {"reason": "other", "note": "x" * 301})
    error = await ann.error(2)
    assert error["error"] == "invalid_payload" and "300" in error["message"]
    assert host.guard.reports() == [] and host.rooms.locate(bob.sid) is not None, "nothing was cut short"
    await bob.emit("leave")
    await ann.wait_for("session_ended")
    # just after the end, a report is about that last partner
    await ann.emit("report", {"reason": "inappropriate"})
    await ann.wait_for("report_received")
    assert [r.reported_name for r in host.guard.reports()] == ["Bob"]
    cat = await clients.new("Cat")
    await cat.emit("report", {"reason": "other"})
    assert (await cat.error())["error"] == "not_in_session"


async def test_a_removed_person_is_refused_on_a_new_socket_by_page_and_by_name(serve: Serve) -> None:
    host, clients = await serve(max_pairs=2, grace_seconds=30)
    ann, bob = await pair(clients, "Ann", "Bob")
    await host.guard.remove("bob")  # any case
    refused = await bob.error()
    assert refused == {"error": "removed", "message": "The host has removed you from this event."}
    assert (await ann.wait_for("session_ended"))["reason"] == "peer_left"
    await until(lambda: not bob.sio.connected)  # the host closed its socket
    bob2 = await clients.new("Bob again")
    await bob2.emit("join", {"room": "matchmaking", "profile": {"name": "Robert"}, "device": DEVICES["Bob"]})
    assert (await bob2.error())["error"] == "removed"
    bob3 = await clients.new("Bob a third time")
    await bob3.emit("join", {"room": "matchmaking", "profile": {"name": " BOB "}})
    assert (await bob3.error())["error"] == "removed"
    assert host.guard.undo("Bob") == "Bob"
    bob4 = await clients.new("Bob once more")
    assert (await join(bob4, "Bob"))["role"] in ("A", "B")


async def test_removing_someone_nobody_knows_says_so(host: HostServer) -> None:
    with pytest.raises(CoreError, match="Nobody called 'Zed' is here"):
        await host.guard.remove("Zed")


async def test_with_preferences_the_queue_seats_only_people_who_want_to_meet_each_other(serve: Serve) -> None:
    host, clients = await serve(max_pairs=3, queue=True)
    ann = await clients.new("Ann")
    first = await join(ann, "Ann", gender="woman", meet=["men"])
    assert first["status"] == "waiting" and "wait_reason" not in first
    eve = await clients.new("Eve")
    second = await join(eve, "Eve", gender="woman", meet=["men"])
    assert second["status"] == "waiting" and second["wait_reason"] == "nobody_to_meet"
    bob = await clients.new("Bob")
    seated = await join(bob, "Bob", gender="man", meet=["women"])
    assert seated["status"] == "active" and seated["peer"]["profile"]["name"] == "Ann"
    dan = await clients.new("Dan")
    seated = await join(dan, "Dan", gender="man", meet=["women"])
    assert seated["peer"]["profile"]["name"] == "Eve"
    for session in host.rooms.sessions:
        genders = sorted(p.gender or "" for p in session.profiles.values())
        assert genders == ["man", "woman"]


async def test_with_everyone_the_fields_do_not_count(serve: Serve) -> None:
    _, clients = await serve(max_pairs=2, meet_mode="everyone")
    ann = await clients.new("Ann")
    await join(ann, "Ann", gender="woman", meet=["men"])
    eve = await clients.new("Eve")
    assert (await join(eve, "Eve", gender="woman", meet=["men"]))["status"] == "active"


async def test_the_partner_sees_a_gender_but_never_whom_one_would_like_to_meet(serve: Serve) -> None:
    _, clients = await serve(max_pairs=1)
    ann, bob = await clients.new("Ann"), await clients.new("Bob")
    await join(ann, "Ann", gender="woman", meet=["men"])
    info = await join(bob, "Bob", gender="man", meet=["women"])
    assert info["peer"]["profile"]["gender"] == "woman" and "meet" not in info["peer"]["profile"]
    joined = await ann.wait_for("user_joined")
    assert joined["profile"]["gender"] == "man" and "meet" not in joined["profile"]
