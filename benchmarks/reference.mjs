// The reference relay for benchmarks/relay.py: a small socket.io 4 server over TLS that pairs
// joiners two by two and relays what HeartLink relays (offer, answer, ice_candidate to the
// partner; transcript_update to the pair). No files, no facilitator, no checks beyond that.
// Run: node benchmarks/reference.mjs CERT KEY  (prints "listening PORT" on loopback)
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { Server } from "socket.io";

const [cert, key] = process.argv.slice(2);
const https = createServer({ cert: readFileSync(cert), key: readFileSync(key) });
const io = new Server(https, { serveClient: false });
let waiting = null; // the socket waiting for a partner
let n = 0;

io.on("connection", (socket) => {
  socket.on("join", (payload) => {
    const profile = (payload && payload.profile) || {};
    socket.data.profile = profile;
    if (waiting === null || !waiting.connected) {
      const room = `session_${++n}`;
      socket.data.room = room;
      socket.join(room);
      waiting = socket;
      socket.emit("session_info", { session_id: room, role: "A", status: "waiting", peer: null });
      return;
    }
    const a = waiting;
    waiting = null;
    const room = a.data.room;
    socket.data.room = room;
    socket.join(room);
    a.data.partner = socket.id;
    socket.data.partner = a.id;
    const peer = { id: a.id, role: "A", profile: a.data.profile };
    socket.emit("session_info", { session_id: room, role: "B", status: "active", peer });
    a.emit("user_joined", { id: socket.id, role: "B", profile });
  });
  for (const [event, key] of [["offer", "offer"], ["answer", "answer"], ["ice_candidate", "candidate"]]) {
    socket.on(event, (payload) => {
      if (!payload || payload.target !== socket.data.partner) return;
      io.to(payload.target).emit(event, { [key]: payload[key], sender: socket.id });
    });
  }
  socket.on("transcript_update", (payload) => {
    const text = payload && typeof payload.text === "string" ? payload.text.trim() : "";
    if (!text || !socket.data.room) return;
    io.to(socket.data.room).emit("transcript_update", {
      session_id: socket.data.room, speaker: socket.data.partner ? "A" : "B",
      name: socket.data.profile.name, text, timestamp: new Date().toISOString(),
    });
  });
  socket.on("audio_activity", () => {});
});

https.listen(0, "127.0.0.1", () => {
  console.log(`listening ${https.address().port}`);
});
