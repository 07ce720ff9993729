"""Loaded by the Scholar worker in tests (via PYTHONPATH): refuse any non-loopback connection."""

import socket

_LOOPBACK = ("127.", "::1", "localhost")
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: object) -> bool:
    return isinstance(host, str) and host.startswith(_LOOPBACK)


def _guarded_connect(self, address):
    if self.family == socket.AF_UNIX or (isinstance(address, tuple) and _is_loopback(address[0])):
        return _connect(self, address)
    raise OSError(f"network access blocked in tests: {address!r}")


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is None or _is_loopback(host):
        return _getaddrinfo(host, *args, **kwargs)
    raise OSError(f"name lookup blocked in tests: {host!r}")


socket.socket.connect = _guarded_connect
socket.getaddrinfo = _guarded_getaddrinfo
