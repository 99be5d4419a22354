"""Evidence files in S3-compatible object storage, shared by every app server.

A bucket of Amazon S3 or of any server that speaks its API (MinIO, Ceph,
Garage, a cloud provider's object storage) holds the files when
``CSFPILOT_EVIDENCE_STORAGE=s3``. What this storage adds to django-storages'
S3 backend is what evidence needs:

- objects are private and never get a URL: a file leaves only through the
  authorised download view, which streams it (:meth:`EvidenceS3Storage.url`
  refuses);
- an object is never overwritten (names are content hashes; a second save
  of the same name is a programming error, not a new version);
- a download streams the object's body from the bucket instead of copying
  the whole object into the server's memory or a temporary file first;
- an upload goes up in parts of 8 MiB, two at a time with at most three held
  in memory, so a 200 MB file costs the server a few parts' worth of memory
  (the SDK's default holds ten).
"""

from __future__ import annotations

from typing import IO, Any

from boto3.s3.transfer import TransferConfig
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

PART = 8 * 1024 * 1024


class EvidenceS3Storage(S3Storage):
    def __init__(self, **options: Any) -> None:
        options.setdefault("file_overwrite", False)
        options.setdefault("default_acl", "private")
        options.setdefault("querystring_auth", True)
        if "transfer_config" not in options:
            transfer = TransferConfig(
                multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=2
            )
            # Parts read from the file and waiting to be sent (boto3 does not take it as an
            # argument); each is one part's worth of memory.
            transfer.max_in_memory_upload_chunks = 3
            options["transfer_config"] = transfer
        # S3File's reads roll over to a temporary file past 1 MiB (0 would keep it in memory).
        options.setdefault("max_memory_size", 1024 * 1024)
        super().__init__(**options)

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise NotImplementedError(
            "evidence files have no URL; they are served only through the download view"
        )

    def open_stream(self, name: str) -> IO[bytes]:
        """The object's bytes as a stream read from the bucket as the caller reads."""
        key = self._normalize_name(clean_name(name))
        body: IO[bytes] = self.bucket.Object(key).get()["Body"]
        return body
