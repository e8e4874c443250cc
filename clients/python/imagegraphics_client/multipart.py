"""A multipart/form-data body read from disk as it is sent: an upload never holds the file in memory.

requests builds a `files=` body whole in memory; this object gives it a length (so the request carries
Content-Length, which S3's form upload requires: it refuses chunked bodies) and a `read`, which
urllib3 calls block by block while sending.
"""
from __future__ import annotations

import uuid
from pathlib import Path


class FileChanged(OSError):
    """The file grew or shrank between being measured and being sent."""


def _quoted(value: str) -> str:
    """A form parameter value as browsers (and urllib3) write it: quotes, backslashes and controls escaped."""
    out = []
    for char in value:
        if char == '"':
            out.append("%22")
        elif char == "\\":
            out.append("\\\\")
        elif ord(char) < 0x20:
            out.append(f"%{ord(char):02X}")
        else:
            out.append(char)
    return "".join(out)


class MultipartFile:
    def __init__(self, fields: dict[str, str], path: Path, filename: str, content_type: str, size: int):
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n{value}\r\n'
                 for name, value in fields.items()]
        # The file goes last: S3 ignores every field after it.
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_quoted(filename)}"'
                     f"\r\nContent-Type: {content_type}\r\n\r\n")
        self.head = "".join(parts).encode("utf-8")
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.path, self.size = path, size
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._file = None
        self._at = 0  # bytes of the whole body given out so far

    def __len__(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    def rewind(self) -> None:
        """Ready to be sent (again) from the start, as a retried request needs."""
        self.close()
        self._at = 0

    def read(self, amount: int = -1) -> bytes:
        total = len(self)
        if amount is None or amount < 0:
            amount = total
        chunks, wanted = [], min(amount, total - self._at)
        while wanted > 0:
            chunk = self._read_at(self._at, wanted)
            self._at += len(chunk)
            wanted -= len(chunk)
            chunks.append(chunk)
        if self._at == total:
            self.close()
        return b"".join(chunks)

    def _read_at(self, at: int, wanted: int) -> bytes:
        head, size = len(self.head), self.size
        if at < head:
            return self.head[at:at + wanted]
        if at < head + size:
            if self._file is None:
                self._file = open(self.path, "rb")  # noqa: SIM115 - closed at the end or on rewind
                self._file.seek(at - head)
            data = self._file.read(min(wanted, head + size - at, 1 << 20))
            if not data:
                raise FileChanged(f"{self.path} became shorter while it was being uploaded")
            return data
        if self._file is not None:
            grown = bool(self._file.read(1))
            self.close()
            if grown:
                raise FileChanged(f"{self.path} grew while it was being uploaded")
        return self.tail[at - head - size:at - head - size + wanted]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
