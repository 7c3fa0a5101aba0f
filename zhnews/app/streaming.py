"""Streamed HTTP responses that stop producing as soon as the client goes away.

Why: ASGI servers (uvicorn) silently drop what is sent after a client disconnects, so a loop that only
sends would keep querying the database for an export nobody reads. A watcher task listens on `receive`
for `http.disconnect`; after it, `send` raises ClientGone and the producer is asked for nothing more.
Used by the search page's exports (`stream`) and by Datasette's own CSV exports (plugins/zhnews_export.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]
YIELD_EVERY = 4  # sends between two turns of the event loop while streaming


class ClientGone(BaseException):
    """Raised by `send` once the client has disconnected. A BaseException so that Datasette's CSV writer,
    which catches Exception to print it into the stream, lets it through to the wrapper that ends the
    request."""


def watched(receive: Receive, send: Send) -> tuple[Receive, Send, asyncio.Task[None]]:
    """`receive` and `send` for a GET request, plus the task that watches for the client leaving: after
    `http.disconnect`, `send` raises ClientGone."""
    first: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
    gone = asyncio.Event()

    async def watch() -> None:
        message = await receive()
        first.set_result(message)
        while message.get("type") != "http.disconnect":
            message = await receive()
        gone.set()

    given = False

    async def app_receive() -> Message:  # the request message once, then nothing until the client leaves
        nonlocal given
        message = await first
        if not given and message.get("type") == "http.request":
            given = True
            return message
        await gone.wait()
        return {"type": "http.disconnect"}

    sends = 0

    async def guarded_send(message: Message) -> None:
        nonlocal sends
        if gone.is_set():
            raise ClientGone
        await send(message)
        sends += 1
        if sends % YIELD_EVERY == 0:
            # A CSV writer whose socket never blocks does not return to the event loop until its next page
            # query, so the loop never learns that the client left: let it, now and then.
            await asyncio.sleep(0)

    return app_receive, guarded_send, asyncio.create_task(watch())


async def stream(send: Send, receive: Receive, chunks: AsyncIterator[bytes], *, content_type: str,
                 headers: dict[str, str] | None = None) -> bool:
    """Send `chunks` as one 200 response; returns False when the client left before the end."""
    _, guarded_send, watcher = watched(receive, send)
    raw_headers = [(b"content-type", content_type.encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    try:
        await guarded_send({"type": "http.response.start", "status": 200, "headers": raw_headers})
        async for chunk in chunks:
            if chunk:
                await guarded_send({"type": "http.response.body", "body": chunk, "more_body": True})
        await guarded_send({"type": "http.response.body", "body": b"", "more_body": False})
        return True
    except ClientGone:
        return False
    finally:
        watcher.cancel()
        if hasattr(chunks, "aclose"):
            await chunks.aclose()
