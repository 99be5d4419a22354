"""Which address a request comes from, through the reverse proxies the operator trusts.

Sign-in throttles count failures per client address. Behind a reverse proxy every
request arrives from the proxy's address, so counting that would put every person
in one bucket: a few wrong passwords from one attacker would lock everybody out.
The proxy names the address it received the request from in ``X-Forwarded-For``,
appended after whatever the client itself sent there (which anyone can forge).

So the header is believed only when the connecting address is a trusted proxy
(``CSFPILOT_TRUSTED_PROXIES``: addresses or networks), and then read from the
right: each address a trusted proxy added is skipped, and the first one that is
not a trusted proxy is the client. Addresses further left were written by the
client and are never used. Without trusted proxies the connecting address is
the client, and the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(text: str, setting: str = "CSFPILOT_TRUSTED_PROXIES") -> list[Network]:
    """``"127.0.0.1, 10.0.0.0/24"`` as networks; a wrong entry is named in the error."""
    networks = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{setting}: {entry!r} is not an IP address or network (e.g. 10.0.0.0/24)"
            ) from None
    return networks


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket shows up as ::ffff:192.0.2.1.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(
    remote_addr: str, forwarded_for: str | None, proxies: Sequence[Network]
) -> str | None:
    """The client's address, given the connecting address and the X-Forwarded-For header."""
    connecting = _address(remote_addr or "")
    if connecting is None:
        return None
    if not proxies or not _trusted(connecting, proxies) or not forwarded_for:
        return str(connecting)
    client = connecting
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            # Not an address: the proxies in front write only addresses, so the client
            # wrote it. The last hop a trusted proxy vouched for is as far as we can see.
            break
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)


def request_client_address(request: HttpRequest) -> str | None:
    from django.conf import settings

    return client_address(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.CSFPILOT_TRUSTED_PROXIES,
    )
