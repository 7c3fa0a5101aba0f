"""A streamed HTTP response that stops producing as soon as the client goes away.

Why: ASGI servers (uvicorn) silently drop what is sent after a client disconnects, so a loop that only
sends would keep querying the database for an export nobody reads. A watcher task listens on `receive`
for `http.disconnect`; the producer is asked for its next chunk only while the client is there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


async def stream(send: Send, receive: Receive, chunks: AsyncIterator[bytes], *, content_type: str,
                 headers: dict[str, str] | None = None) -> bool:
    """Send `chunks` as one 200 response; returns False when the client left before the end."""
    gone = asyncio.Event()

    async def watch() -> None:
        while True:
            message = await receive()
            if message.get("type") == "http.disconnect":
                gone.set()
                return

    watcher = asyncio.create_task(watch())
    raw_headers = [(b"content-type", content_type.encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    try:
        await send({"type": "http.response.start", "status": 200, "headers": raw_headers})
        async for chunk in chunks:
            if gone.is_set():
                return False
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if gone.is_set():
            return False
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True
    finally:
        watcher.cancel()
        if isinstance(chunks, AsyncIterator) and hasattr(chunks, "aclose"):
            await chunks.aclose()
