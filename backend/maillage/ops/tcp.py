"""TCP_NODELAY on the connections of a multi-worker uvicorn.

``uvicorn --workers N`` binds the listening socket itself with ``proto`` 0, so asyncio does
not set TCP_NODELAY on the connections the workers accept (it checks
``proto == IPPROTO_TCP``): every keep-alive request after the first then waits about 40 ms
for the client's delayed ACK (https://github.com/Kludex/uvicorn/issues/3149). Re-wrapping
the bound socket as TCP (same descriptor) restores asyncio's usual behaviour.
"""

import socket

import uvicorn.config

_stock_bind_socket = uvicorn.config.Config.bind_socket


def _bind_socket_as_tcp(self: uvicorn.config.Config) -> socket.socket:
    sock = _stock_bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(True)
    return sock


def bind_listeners_as_tcp() -> None:
    """Patch uvicorn so that the sockets it binds for its workers are marked TCP."""
    uvicorn.config.Config.bind_socket = _bind_socket_as_tcp
