"""An echo server and a chat server in one process, with the `websockets`
library. The parts marked TODO are yours to write; solution.py is one answer.
Run it and grade it, from the repository's folder:

    python3 examples/python-echo-chat/starter.py 9001
    npm run grade -- ws://127.0.0.1:9001 --suite handshake,echo
    npm run grade -- ws://127.0.0.1:9001/chat/lobby --suite chat
    npm run grade -- ws://127.0.0.1:9001/heartbeat --suite heartbeat
"""
import asyncio
import http
import json
import re
import sys
import time

import websockets

MAX_MESSAGE_BYTES = 64 * 1024
MAX_TEXT_CHARS = 1000
HISTORY_ON_JOIN = 50
CHAT_PATH = re.compile(r"^/chat(?:/([a-z0-9-]{1,32}))?$")


def path_of(websocket):
    """The request path: `websocket.path` before websockets 14, `websocket.request.path` after."""
    request = getattr(websocket, "request", None)
    return request.path if request is not None else websocket.path


def refuse_unknown_version(first, second):
    """RFC 6455 §4.4: refuse a Sec-WebSocket-Version other than 13 and say
    which one this server speaks (websockets 10 answers 400 without saying).
    Called as (path, headers) before websockets 14, (connection, request) after."""
    # TODO: when the request's Sec-WebSocket-Version is not 13, answer
    # 426 Upgrade Required with a "Sec-WebSocket-Version: 13" header.
    # Returning None lets websockets go on with the handshake.
    return None


def json_of(data):
    """A text message parsed as JSON, or None for bytes or text that is not JSON."""
    if not isinstance(data, str):
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


async def echo(websocket):
    """Sends every message back as it came: str as text, bytes as binary."""
    async for message in websocket:
        # TODO: the grader says empty messages get no echo. Why does `if message` skip them?
        if message:
            await websocket.send(message)


class Room:
    def __init__(self):
        self.members = {}  # websocket -> name
        self.history = []
        self.next_id = 1

    async def broadcast(self, event):
        """Logs an event in the history and sends it to every member, the sender included."""
        event = {**event, "id": self.next_id, "at": int(time.time() * 1000)}
        self.next_id += 1
        self.history = (self.history + [event])[-500:]
        text = json.dumps(event)
        for member in list(self.members):
            try:
                await member.send(text)
            except websockets.ConnectionClosed:
                pass  # it is leaving; its own handler says so


rooms = {}
next_guest = 1


async def chat(websocket, room_name):
    global next_guest
    room = rooms.setdefault(room_name, Room())
    name = f"guest-{next_guest}"
    next_guest += 1
    await websocket.send(json.dumps({
        "type": "welcome",
        "room": room_name,
        "you": name,
        "members": [*room.members.values(), name],
        # TODO: send the room's recent events (the last HISTORY_ON_JOIN), oldest first.
        "history": [],
    }))
    # Tell the others first, then join: the newcomer learns who is here from the welcome.
    await room.broadcast({"type": "joined", "name": name})
    room.members[websocket] = name
    try:
        async for data in websocket:
            message = json_of(data)
            if not isinstance(message, dict) or message.get("type") != "say" or not isinstance(message.get("text"), str):
                await websocket.send(json.dumps({"type": "error", "error": "INVALID_MESSAGE", "message": 'expected {"type":"say","text":"…"}'}))
                continue
            text = message["text"].strip()
            if text == "" or len(text) > MAX_TEXT_CHARS:
                await websocket.send(json.dumps({"type": "error", "error": "TEXT_INVALID", "message": f"text must be 1 to {MAX_TEXT_CHARS} characters"}))
                continue
            # TODO: send {"type":"message","from":<the sender's name>,"text":…} to
            # every member of the room, the sender included, and keep it in
            # history (room.broadcast() does both).
    except websockets.ConnectionClosed:
        pass  # a client that vanished, or broke the protocol (websockets closed it with 1002 or 1007)
    finally:
        del room.members[websocket]
        # TODO: tell the members still here: {"type":"left","name":…}.


# The heartbeat this server states in its welcome; serve() below keeps to it.
HEARTBEAT = {"intervalMs": 1000, "timeoutMs": 1000}


async def heartbeat(websocket):
    """/heartbeat: states the interval and timeout and answers application
    pings. websockets itself pings every ping_interval (RFC 6455 §5.5.2) and
    closes with 1011 a client whose pong is later than ping_timeout."""
    await websocket.send(json.dumps({"type": "welcome", **HEARTBEAT}))
    async for data in websocket:
        message = json_of(data)
        if isinstance(message, dict) and message.get("type") == "ping":
            await websocket.send(json.dumps({"type": "pong", "id": message.get("id"), "sent": message.get("sent")}))


async def handler(websocket, *_legacy_path):
    path = path_of(websocket)
    room = CHAT_PATH.match(path)
    if path in ("/", "/echo"):
        try:
            await echo(websocket)
        except websockets.ConnectionClosed:
            pass  # a client that vanished, or broke the protocol (websockets closed it with 1002 or 1007)
    elif path == "/heartbeat":
        try:
            await heartbeat(websocket)
        except websockets.ConnectionClosed:
            pass  # dropped by the heartbeat, or gone
    elif room is not None:
        await chat(websocket, room.group(1) or "lobby")
    else:
        await websocket.close(1008, f"unknown path {path}: use / or /echo, /chat/<room> or /heartbeat")


async def main(port):
    # websockets does the protocol: the handshake (RFC 6455 §4), masking,
    # fragments, pings, the closing handshake, 1002 and 1007. max_size bounds a message.
    # TODO: the grader says a silent client is never dropped: websockets pings
    # every 20 s and waits 20 s for the pong unless serve() is given
    # ping_interval and ping_timeout (in seconds) matching HEARTBEAT.
    async with websockets.serve(handler, "127.0.0.1", port, max_size=MAX_MESSAGE_BYTES, process_request=refuse_unknown_version) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on ws://127.0.0.1:{bound} (echo on / and /echo, chat on /chat/<room>, heartbeat on /heartbeat)", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 9001))
