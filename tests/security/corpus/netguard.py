"""A socket guard: any connection (or name lookup) to a host other than this machine is
refused and recorded. Used in-process by the tests and, through ``guard/sitecustomize.py``,
in every CLI subprocess they start."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

LOCAL_NAMES = {"localhost", "localhost.localdomain", "", None}


def _is_local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


class OutboundRefused(OSError):
    pass


def install(record: list[str]) -> tuple:
    """Patch the socket module; every refused attempt is appended to ``record`` (and to
    the file named by NETGUARD_LOG, if set). Returns what to restore."""
    log = os.environ.get("NETGUARD_LOG")
    originals = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)
    connect, connect_ex, getaddrinfo = originals

    def note(what: str) -> None:
        record.append(what)
        if log:
            with open(log, "a") as fh:
                fh.write(what + "\n")

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            note(f"connect {address!r}")
            raise OutboundRefused(f"outbound connection refused by the test guard: {address!r}")
        return connect(self, address)

    def guarded_connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            note(f"connect {address!r}")
            raise OutboundRefused(f"outbound connection refused by the test guard: {address!r}")
        return connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            note(f"lookup {host!r}")
            raise OutboundRefused(f"name lookup refused by the test guard: {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo
    return originals


def uninstall(originals: tuple) -> None:
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = originals


@contextmanager
def no_outbound() -> Iterator[list[str]]:
    record: list[str] = []
    originals = install(record)
    try:
        yield record
    finally:
        uninstall(originals)
