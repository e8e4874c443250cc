"""A small client of the public HTTP API (used by the demo, the end-to-end tests and the bench)."""
from __future__ import annotations

import time
from typing import Callable

import requests

JOBS = "/api/v1/assets/addons/image_graphics"


class ApiError(Exception):
    def __init__(self, response: requests.Response):
        super().__init__(f"{response.request.method} {response.url} -> {response.status_code}: {response.text[:500]}")
        self.response = response


class Client:
    def __init__(self, url: str, key: str, header: str = "Authorization"):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers[header] = f"Bearer {key}" if header == "Authorization" else key

    def call(self, method: str, path: str, expect: int | None = None, **kwargs) -> requests.Response:
        response = self.http.request(method, self.url + path, timeout=30, **kwargs)
        if expect is not None and response.status_code != expect:
            raise ApiError(response)
        return response

    def create_asset(self, filename: str, content_type: str, metadata: dict | None = None) -> dict:
        body: dict = {"filename": filename, "content_type": content_type}
        if metadata is not None:
            body["metadata"] = metadata
        return self.call("POST", "/api/v1/assets", expect=201, json=body).json()

    def upload(self, filename: str, data: bytes, content_type: str, metadata: dict | None = None) -> str:
        """Create the asset and POST the bytes to its presigned form, as a browser would; returns the id."""
        created = self.create_asset(filename, content_type, metadata)
        form = created["upload"]
        response = requests.post(form["url"], data=form["fields"], timeout=60,
                                 files={"file": (filename, data, content_type)})
        if response.status_code not in (200, 201, 204):
            raise ApiError(response)
        return created["asset_id"]

    def asset(self, asset_id: str) -> dict:
        return self.call("GET", f"/api/v1/assets/{asset_id}", expect=200).json()

    def wait_asset(self, asset_id: str, timeout: float = 60) -> dict:
        """Poll until ingest has decided READY or REJECTED."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.asset(asset_id)
            if record["status"] != "PENDING" or time.monotonic() > deadline:
                return record
            time.sleep(0.1)

    def submit(self, request: dict) -> int:
        return self.call("POST", JOBS, expect=200, json=request).json()["job_id"]

    def job(self, job_id: int | str) -> dict:
        return self.call("GET", f"{JOBS}/jobs/{job_id}", expect=200).json()

    def wait_job(self, job_id: int, timeout: float = 300,
                 progress: Callable[[dict], None] | None = None) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            status = self.job(job_id)
            if progress:
                progress(status)
            if status["status"] != "QUEUED" or time.monotonic() > deadline:
                return status
            time.sleep(0.2)

    def download(self, url: str) -> bytes:
        response = requests.get(url, timeout=60)
        if response.status_code != 200:
            raise ApiError(response)
        return response.content
