"""The one translator to the wire: every event a page hears is named and shaped here.

Core events (the rooms changed: `Relay.__call__`, an observer of the rooms) and the services'
notices (core/notices.py: `Relay.tell`, the `Notify` port) become Socket.IO events, handed to
the host's outbox in order; nothing here waits. No other module names an event a page hears."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Protocol

import socketio

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.notices import (
    AgainAsked,
    AgainMatch,
    AgainReceived,
    EveningJoined,
    EveningOver,
    EveningStatus,
    InterimWords,
    Notice,
    Refusal,
    ReportTaken,
    Signal,
    SpeechStatus,
)
from heartlink_desktop.core.session import Session, other_role
from heartlink_desktop.core.vocab import FACILITATOR_ID, FACILITATOR_SPEAKER

Send = Callable[[], Awaitable[Any]]


class Seats(Protocol):
    """What the relay reads of the rooms (core/rooms.py `Rooms`)."""

    def get(self, session_id: str) -> Session | None: ...

    def require(self, sid: str) -> tuple[Session, str]: ...

    def secret_of(self, sid: str) -> str | None: ...


class Relay:
    """Core events and notices to Socket.IO events, in order through the host's outbox.

    Gets the Socket.IO server to emit with, the rooms to read, the outbox's `enqueue` and the
    signed-in sockets. Made by the host, which subscribes it to the rooms and passes its `tell`
    as the `Notify` port to every service."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        rooms: Seats,
        enqueue: Callable[[Send], None],
        clients: Collection[str],
    ) -> None:
        self.sio = sio
        self.rooms = rooms
        self.enqueue = enqueue
        self.clients = clients

    def send(self, event: str, data: dict[str, Any], *, to: str, skip_sid: str | None = None) -> None:
        self.enqueue(lambda: self.sio.emit(event, data, to=to, skip_sid=skip_sid))

    def tell(self, notice: Notice) -> None:
        """A service's notice as the event its page hears."""
        to = notice.to
        match notice:
            case Refusal(code=code, message=message, details=details):
                body: dict[str, Any] = {"error": code, "message": message}
                if details:
                    body["details"] = details
                self.send("session_error", body, to=to)
            case Signal(kind=kind, key=key, value=value, sender=sender):
                self.send(kind, {key: value, "sender": sender}, to=to)
            case AgainAsked(session_id=sid, name=name, seconds=seconds):
                self.send("again_asked", {"session_id": sid, "name": name, "seconds": seconds}, to=to)
            case AgainReceived(session_id=sid):
                self.send("again_received", {"session_id": sid}, to=to)
            case AgainMatch(session_id=sid, name=name, contact=contact):
                self.send("again_match", {"session_id": sid, "name": name, "contact": contact}, to=to)
            case EveningJoined(person=person, status=status):
                self.send("evening_joined", {"person": person, **status}, to=to)
            case EveningStatus(status=status):
                self.send("evening_status", dict(status), to=to)
            case EveningOver(rounds=rounds, matches=matches):
                self.send("evening_ended", {"rounds": rounds, "matches": matches}, to=to)
            case SpeechStatus(status=status):
                self.send("speech_status", dict(status), to=to)
            case InterimWords(speaker=speaker, body=body):
                self.send("transcript_interim", body, to=to, skip_sid=speaker)
            case ReportTaken():
                self.send("report_received", {}, to=to)
            case _:
                raise TypeError(f"no wire event for {type(notice).__name__}")

    def __call__(self, event: Event) -> None:
        sid_room = event.session_id
        d = event.data
        if event.kind == ev.JOINED:
            session = self.rooms.get(sid_room)
            info = self._session_info(sid_room, d["status"], d["sid"], d["role"], d["peer"])
            if d.get("wait_reason"):  # others are here, but nobody they may meet
                info["wait_reason"] = d["wait_reason"]
            away = session is not None and other_role(d["role"]) in session.reconnecting

            async def joined() -> None:
                await self.sio.enter_room(d["sid"], sid_room)
                await self.sio.emit("session_info", info, to=d["sid"])
                if d["peer"] is not None:
                    seen = {k: v for k, v in d["profile"].items() if k != "meet"}  # whom they meet is theirs
                    joiner = {"id": d["sid"], "role": d["role"], "profile": seen, "line": d["line"]}
                    await self.sio.emit("user_joined", joiner, to=d["peer"]["id"])
                if away:  # paired with someone whose socket is gone for the moment
                    status = {"role": other_role(d["role"]), "state": ev.RECONNECTING}
                    await self.sio.emit("peer_status", status, to=d["sid"])

            self.enqueue(joined)
        elif event.kind == ev.PEER_STATUS:
            self._on_peer_status(event)
        elif event.kind == ev.QUEUE:
            positions = {e["sid"]: e["position"] for e in d["line"]}
            reasons = d.get("reasons", {})
            for sid in d["moved"]:
                body = {"position": positions[sid], "ahead": positions[sid] - 1}
                if reasons.get(sid):
                    body["reason"] = reasons[sid]
                self.send("queued", body, to=sid)
            for gone in d["removed"]:
                if gone["reason"] == "left":
                    self.send("queued", {"position": 0, "ahead": 0, "left": True}, to=gone["sid"])
        elif event.kind == ev.TRANSCRIPT:
            e = d["entry"]
            if e["speaker"] == FACILITATOR_SPEAKER:
                body = {
                    "session_id": sid_room,
                    "agent_id": FACILITATOR_ID,
                    "phase": e.get("phase"),
                    "text": e["text"],
                    "timestamp": e["timestamp"],
                    "source": e.get("source", "builtin"),
                }
                self.send("ai_interjection", body, to=sid_room)
            else:
                self.send("transcript_update", {"session_id": sid_room, **e}, to=sid_room)
        elif event.kind == ev.PHASE:
            self.send("phase_changed", {"session_id": sid_room, "phase": d["phase"]}, to=sid_room)
        elif event.kind == ev.LEFT:
            self.send("user_left", {"id": d["sid"], "role": d["role"]}, to=sid_room, skip_sid=d["sid"])
        elif event.kind == ev.ENDED:
            body = {"session_id": sid_room, "reason": d["reason"], "summary": d["summary"]}

            async def ended() -> None:
                await self.sio.emit("session_ended", body, to=sid_room)
                await self.sio.close_room(sid_room)

            self.enqueue(ended)

    def _on_peer_status(self, event: Event) -> None:
        sid_room, d = event.session_id, event.data
        role = d["role"]
        if d["state"] == ev.RECONNECTING:
            self.send("peer_status", {"role": role, "state": ev.RECONNECTING}, to=sid_room, skip_sid=d["sid"])
            return
        new = d["sid"]
        session = self.rooms.require(new)[0]  # the slot was just given to `new`
        peer = session.peer_info(other_role(role))
        info = self._session_info(sid_room, session.status, new, role, peer)
        # lines are never changed once added: a shallow copy is the transcript at this moment
        info.update(resumed=True, transcript=list(session.transcript), phase=session.phase)
        partner_away = other_role(role) in session.reconnecting

        async def reclaimed() -> None:
            await self._until_connected(new)
            await self.sio.enter_room(new, sid_room)
            await self.sio.emit("session_info", info, to=new)
            if partner_away:
                status = {"role": other_role(role), "state": ev.RECONNECTING}
                await self.sio.emit("peer_status", status, to=new)
            back = {"role": role, "state": ev.CONNECTED, "id": new}
            await self.sio.emit("peer_status", back, to=sid_room, skip_sid=new)

        self.enqueue(reclaimed)

    async def _until_connected(self, sid: str, timeout: float = 5.0) -> None:
        """A reclaim is decided inside the connect handler, before Socket.IO confirms the
        connection to the client; what goes to the new socket must follow that confirmation."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.sio.manager.is_connected(sid, "/") and sid in self.clients and loop.time() < deadline:
            await asyncio.sleep(0.005)  # Socket.IO gives no event for it

    def _session_info(self, session_id: str, status: str, sid: str, role: str, peer: Any) -> dict[str, Any]:
        """`session_info` for the socket `sid` holding `role` in the session."""
        info = {"session_id": session_id, "role": role, "status": status, "peer": peer}
        info.update(self.session_info_extra(sid))
        return info

    def session_info_extra(self, sid: str) -> dict[str, Any]:
        """Fields added to session_info: the resume secret, when slots can be reclaimed."""
        secret = self.rooms.secret_of(sid)
        return {} if secret is None else {"resume": secret}
