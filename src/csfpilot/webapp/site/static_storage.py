"""Static files under `csfpilot serve`: content-hashed names, compressed once with gzip.

WhiteNoise also writes Brotli copies, at the highest quality, whenever the brotli
module is importable (other packages install it); for the API docs' large bundles
that is about twenty seconds of CPU at every first start, for a few percent over
gzip. Source maps are fetched only by developer tools, so they stay uncompressed.
"""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

SKIP_COMPRESS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        kwargs["use_brotli"] = False
        kwargs["extensions"] = kwargs.get("extensions") or SKIP_COMPRESS
        return Compressor(**kwargs)
