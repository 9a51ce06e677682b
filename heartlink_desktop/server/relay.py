"""Core events become wire events: what each page hears when the rooms change.

An observer of the core (`host.rooms.subscribe(Relay(host))`): it decides what goes to which
socket and hands it to the host's outbox, in order; it never waits itself."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.session import other_role
from heartlink_desktop.core.vocab import FACILITATOR_ID, FACILITATOR_SPEAKER

if TYPE_CHECKING:
    from heartlink_desktop.server.host import HostServer


class Relay:
    def __init__(self, host: HostServer) -> None:
        self.host = host

    def __call__(self, event: Event) -> None:
        sid_room = event.session_id
        d = event.data
        if event.kind == ev.JOINED:
            session = self.host.rooms.get(sid_room)
            info = self._session_info(sid_room, d["status"], d["sid"], d["role"], d["peer"])
            away = session is not None and other_role(d["role"]) in session.reconnecting

            async def joined() -> None:
                await self.host.sio.enter_room(d["sid"], sid_room)
                await self.host.sio.emit("session_info", info, to=d["sid"])
                if d["peer"] is not None:
                    joiner = {"id": d["sid"], "role": d["role"], "profile": d["profile"], "line": d["line"]}
                    await self.host.sio.emit("user_joined", joiner, to=d["peer"]["id"])
                if away:  # paired with someone whose socket is gone for the moment
                    status = {"role": other_role(d["role"]), "state": ev.RECONNECTING}
                    await self.host.sio.emit("peer_status", status, to=d["sid"])

            self.host.enqueue(joined)
        elif event.kind == ev.PEER_STATUS:
            self._on_peer_status(event)
        elif event.kind == ev.QUEUE:
            positions = {e["sid"]: e["position"] for e in d["line"]}
            for sid in d["moved"]:
                self.host.send("queued", {"position": positions[sid], "ahead": positions[sid] - 1}, to=sid)
            for gone in d["removed"]:
                if gone["reason"] == "left":
                    self.host.send("queued", {"position": 0, "ahead": 0, "left": True}, to=gone["sid"])
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
                self.host.send("ai_interjection", body, to=sid_room)
            else:
                self.host.send("transcript_update", {"session_id": sid_room, **e}, to=sid_room)
        elif event.kind == ev.PHASE:
            self.host.send("phase_changed", {"session_id": sid_room, "phase": d["phase"]}, to=sid_room)
        elif event.kind == ev.LEFT:
            self.host.send("user_left", {"id": d["sid"], "role": d["role"]}, to=sid_room, skip_sid=d["sid"])
        elif event.kind == ev.ENDED:
            body = {"session_id": sid_room, "reason": d["reason"], "summary": d["summary"]}

            async def ended() -> None:
                await self.host.sio.emit("session_ended", body, to=sid_room)
                await self.host.sio.close_room(sid_room)

            self.host.enqueue(ended)

    def _on_peer_status(self, event: Event) -> None:
        sid_room, d = event.session_id, event.data
        role = d["role"]
        if d["state"] == ev.RECONNECTING:
            self.host.send(
                "peer_status", {"role": role, "state": ev.RECONNECTING}, to=sid_room, skip_sid=d["sid"]
            )
            return
        new = d["sid"]
        session = self.host.rooms.require(new)[0]  # the slot was just given to `new`
        peer = session.peer_info(other_role(role))
        info = self._session_info(sid_room, session.status, new, role, peer)
        # lines are never changed once added: a shallow copy is the transcript at this moment
        info.update(resumed=True, transcript=list(session.transcript), phase=session.phase)
        partner_away = other_role(role) in session.reconnecting

        async def reclaimed() -> None:
            await self._until_connected(new)
            await self.host.sio.enter_room(new, sid_room)
            await self.host.sio.emit("session_info", info, to=new)
            if partner_away:
                status = {"role": other_role(role), "state": ev.RECONNECTING}
                await self.host.sio.emit("peer_status", status, to=new)
            back = {"role": role, "state": ev.CONNECTED, "id": new}
            await self.host.sio.emit("peer_status", back, to=sid_room, skip_sid=new)

        self.host.enqueue(reclaimed)

    async def _until_connected(self, sid: str, timeout: float = 5.0) -> None:
        """A reclaim is decided inside the connect handler, before Socket.IO confirms the
        connection to the client; what goes to the new socket must follow that confirmation."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (
            not self.host.sio.manager.is_connected(sid, "/")
            and sid in self.host.clients
            and loop.time() < deadline
        ):
            await asyncio.sleep(0.005)  # Socket.IO gives no event for it

    def _session_info(self, session_id: str, status: str, sid: str, role: str, peer: Any) -> dict[str, Any]:
        """`session_info` for the socket `sid` holding `role` in the session."""
        info = {"session_id": session_id, "role": role, "status": status, "peer": peer}
        info.update(self.session_info_extra(sid))
        return info

    def session_info_extra(self, sid: str) -> dict[str, Any]:
        """Fields added to session_info: the resume secret, when slots can be reclaimed."""
        secret = self.host.rooms.secret_of(sid)
        return {} if secret is None else {"resume": secret}
