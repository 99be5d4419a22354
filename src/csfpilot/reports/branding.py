"""An organization's look on its reports: a logo and two colours.

The logo must really be a PNG or JPEG image — its bytes are opened with
Pillow, not trusted by name or declared type — and at most
:data:`MAX_LOGO_BYTES`; it is embedded as a ``data:`` URI so the report stays
one self-contained file. SVG is refused: an SVG can carry script.
Colours are ``#rrggbb`` only, because they are written into the report's
stylesheet, where HTML escaping protects nothing.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

from csfpilot.core.errors import InputRefused

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 4096 * 4096
DEFAULT_PRIMARY = "#1f3864"
DEFAULT_ACCENT = "#a34e00"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class Branding:
    logo: str = ""  # a data: URI made by logo_data_uri(), or ""
    primary: str = DEFAULT_PRIMARY
    accent: str = DEFAULT_ACCENT

    def __post_init__(self) -> None:
        for name in ("primary", "accent"):
            check_colour(getattr(self, name), field=name)

    def as_dict(self) -> dict[str, str]:
        return {"logo": self.logo, "primary": self.primary, "accent": self.accent}


def check_colour(value: str, *, field: str = "colour") -> str:
    if not _COLOUR.match(value or ""):
        raise InputRefused(f"{value!r} is not a colour written as #rrggbb", field=field)
    return value.lower()


def logo_mime(data: bytes, *, name: str = "logo") -> str:
    """The MIME type of a PNG or JPEG logo, after opening and verifying the image."""
    if len(data) > MAX_LOGO_BYTES:
        raise InputRefused(
            f"the logo has {len(data)} bytes; at most {MAX_LOGO_BYTES} are accepted", file=name
        )
    if not data:
        raise InputRefused("the logo file is empty", file=name)
    # Pillow only when a logo is checked: the web app loads this module at start.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            width, height = image.size
            if fmt not in _FORMATS:
                raise InputRefused(
                    f"the logo is a {fmt or 'unknown'} image; use PNG or JPEG", file=name
                )
            if width * height > MAX_LOGO_PIXELS:
                raise InputRefused(
                    f"the logo is {width}×{height} pixels; at most {MAX_LOGO_PIXELS} pixels",
                    file=name,
                )
            image.verify()
    except InputRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputRefused(f"the logo is not a PNG or JPEG image ({exc})", file=name) from None
    except Image.DecompressionBombError as exc:
        raise InputRefused(f"the logo is too large: {exc}", file=name) from None
    return _FORMATS[fmt]


def logo_data_uri(data: bytes, *, name: str = "logo") -> str:
    mime = logo_mime(data, name=name)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
