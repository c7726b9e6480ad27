"""A model hub on 127.0.0.1 for the download tests: serves a model folder in the Hugging Face hub's layout
(the repository API with file metadata, and ``resolve`` URLs with the hub's headers), so
``huggingface_hub`` talks to it through ``HF_ENDPOINT`` exactly as to the real hub.

Only what a download at a pinned revision uses is served; every request is recorded, and a file can be
made to stall half-way (``stall``), to test an interrupted download, or be served corrupted (``corrupt``).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class HubRepository:
    """One repository at one commit: ``files`` maps a path to its bytes. Files of 1 kB and more are
    served as LFS files (their sha256 in the metadata), as the hub does for weights."""

    def __init__(self, repo_id: str, commit: str, files: dict[str, bytes]):
        self.repo_id, self.commit, self.files = repo_id, commit, files

    @classmethod
    def from_folder(cls, repo_id: str, commit: str, folder: Path) -> HubRepository:
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
        return cls(repo_id, commit, files)

    def is_lfs(self, path: str) -> bool:
        return len(self.files[path]) >= 1024

    def git_oid(self, path: str) -> str:
        data = self.files[path]
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    def sibling(self, path: str) -> dict:
        data = self.files[path]
        entry: dict = {"rfilename": path, "size": len(data), "blobId": self.git_oid(path)}
        if self.is_lfs(path):
            entry["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
        return entry

    def tree_entry(self, path: str) -> dict:
        entry = {"type": "file", "path": path, "size": len(self.files[path]), "oid": self.git_oid(path)}
        if self.is_lfs(path):
            data = self.files[path]
            entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
        return entry

    def etag(self, path: str) -> str:
        return hashlib.sha256(self.files[path]).hexdigest() if self.is_lfs(path) else self.git_oid(path)


class LocalHub:
    """``with LocalHub(repo) as hub:`` serves ``repo`` at ``hub.endpoint`` until the block ends."""

    def __init__(self, *repositories: HubRepository):
        self.repositories = {r.repo_id: r for r in repositories}
        self.requests: list[tuple[str, str]] = []
        self.stall: str | None = None  # a file whose download sends half its bytes, then hangs
        self.corrupt: str | None = None  # a file served with one byte changed (its metadata unchanged)
        self.stalled = threading.Event()  # set once the stalled file's first half is sent
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: the tests read hub.requests
                pass

            def do_HEAD(self):
                hub._answer(self, body=False)

            def do_GET(self):
                hub._answer(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _find(self, repo_id: str, revision: str) -> HubRepository | None:
        repo = self.repositories.get(repo_id)
        return repo if repo is not None and revision in (repo.commit, "main") else None

    def _answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlsplit(handler.path).path)
        self.requests.append((handler.command, handler.path))
        api = re.fullmatch(r"/api/models/([^/]+/[^/]+)/revision/([^/]+)", path)
        tree = re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/([^/]+)(?:/.*)?", path)
        resolve = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if api or tree:
            match = api or tree
            assert match is not None
            repo = self._find(match.group(1), match.group(2))
            if repo is None:
                return self._send(
                    handler, 404, b'{"error": "Revision Not Found"}', {"X-Error-Code": "RevisionNotFound"}
                )
            if api:
                info = {
                    "id": repo.repo_id,
                    "modelId": repo.repo_id,
                    "sha": repo.commit,
                    "private": False,
                    "disabled": False,
                    "gated": False,
                    "siblings": [repo.sibling(p) for p in repo.files],
                }
            else:
                info = [repo.tree_entry(p) for p in repo.files]  # type: ignore[assignment]
            return self._send(handler, 200, json.dumps(info).encode(), {"Content-Type": "application/json"}, body)
        if resolve:
            repo = self._find(resolve.group(1), resolve.group(2))
            name = resolve.group(3)
            if repo is None or name not in repo.files:
                return self._send(handler, 404, b"Entry not found", {"X-Error-Code": "EntryNotFound"}, body)
            data = repo.files[name]
            if body and name == self.corrupt:
                data = bytes([data[0] ^ 1]) + data[1:]
            headers = {
                "X-Repo-Commit": repo.commit,
                "ETag": f'"{repo.etag(name)}"',
                "Content-Type": "application/octet-stream",
            }
            if repo.is_lfs(name):
                headers["X-Linked-Etag"] = f'"{repo.etag(name)}"'
                headers["X-Linked-Size"] = str(len(data))
            if body and name == self.stall:
                handler.send_response(200)
                for key, value in {**headers, "Content-Length": str(len(data))}.items():
                    handler.send_header(key, value)
                handler.end_headers()
                handler.wfile.write(data[: len(data) // 2])
                handler.wfile.flush()
                self.stalled.set()
                time.sleep(60)  # the client is killed meanwhile
                return None
            return self._send(handler, 200, data, headers, body)
        return self._send(handler, 404, b"not served here", {}, body)

    @staticmethod
    def _send(handler, status: int, data: bytes, headers: dict, body: bool = True) -> None:
        handler.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(data))}.items():
            handler.send_header(key, value)
        handler.end_headers()
        if body:
            handler.wfile.write(data)
