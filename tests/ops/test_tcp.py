"""`maillage serve --workers N` answers keep-alive requests without the 40 ms delayed-ACK
stall: the connections its workers accept have TCP_NODELAY (uvicorn#3149)."""

import asyncio
import socket

import pytest
import uvicorn.config
from maillage.ops import tcp


async def _nodelay_of_accepted_connection(sock: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            conn = transport.get_extra_info("socket")
            accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    host, port = sock.getsockname()[:2]
    _reader, writer = await asyncio.open_connection(host, port)
    try:
        return await asyncio.wait_for(accepted, 5)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def _bound_socket() -> socket.socket:
    config = uvicorn.config.Config("maillage.main:create_app", host="127.0.0.1", port=0, workers=2)
    return config.bind_socket()


@pytest.mark.parametrize("patched", [False, True])
def test_worker_connections_have_nodelay_only_with_the_fix(monkeypatch, patched):
    monkeypatch.setattr(uvicorn.config.Config, "bind_socket", tcp._stock_bind_socket)
    if patched:
        tcp.bind_listeners_as_tcp()
    sock = _bound_socket()
    nodelay = asyncio.run(_nodelay_of_accepted_connection(sock))
    # Stock uvicorn leaves Nagle on; the fix turns it off, as asyncio does for TCP servers.
    assert bool(nodelay) is patched
