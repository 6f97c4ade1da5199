"""A Voila page driven at the protocol level: what a browser's widget manager does, without a browser.

Used by the load test to run many sessions of an app on one machine: a browser
renders and runs Voila's JavaScript (about 3 MB) for every page, so 20 headless
browsers on 2 cores measure mostly themselves. A :class:`WidgetSession` does what
the page's JavaScript does over the network, and nothing else:

1. ``GET /voila/render/<notebook>``: Voila starts a kernel, runs the notebook and
   returns the page; the page names its kernel (``"kernelId"``);
2. opens the kernel's websocket (``/api/kernels/<id>/channels``), asks for
   ``kernel_info``, opens the widget control comm (``jupyter.widget.control``) and
   asks for every widget's state (``request_states``), as ipywidgets 8's manager does;
3. sends what a user's clicks and choices send (``update`` with the new state,
   ``custom`` ``click`` events) and applies the updates and new widgets the kernel
   sends back.

A change's round trip is the time from sending it to the kernel reporting itself idle
for that message: by then every update it caused has arrived (iopub messages of a
request come before its idle status). Messages use Jupyter's JSON websocket protocol
(binary frames for messages with buffers, decoded with jupyter_server's own function).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
import uuid
from typing import Any

from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

PROTOCOL = "5.3"
CONTROL_PROTOCOL = "1.0.0"  # ipywidgets 8's jupyter.widget.control comm
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


class PageError(AssertionError):
    """The page or its kernel did not behave as a browser session expects."""


class WidgetSession:
    """One user's session of a Voila app, at the protocol level (see the module docstring)."""

    def __init__(self, base: str, notebook: str, *, timeout_s: float = 300.0):
        self.base, self.notebook, self.timeout_s = base.rstrip("/"), notebook, timeout_s
        self.session_id = uuid.uuid4().hex
        self.models: dict[str, dict[str, Any]] = {}  # model id -> {"model_name": ..., "state": {...}}
        self.kernel_id = ""
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._idle: dict[str, asyncio.Future] = {}
        self._replies: dict[str, asyncio.Future] = {}
        self._control = uuid.uuid4().hex
        self._states: asyncio.Future | None = None

    # ------------------------------------------------------------------ connection
    async def open(self) -> float:
        """Load the page, connect to its kernel and fetch every widget's state; seconds taken."""
        t0 = time.perf_counter()
        response = await AsyncHTTPClient().fetch(f"{self.base}/voila/render/{self.notebook}",
                                                 request_timeout=self.timeout_s, raise_error=False)
        if response.code != 200:
            raise PageError(f"GET {self.notebook}: HTTP {response.code}")
        html = response.body.decode()
        found = KERNEL_ID.search(html)
        if not found:
            raise PageError(f"{self.notebook}: the page names no kernel")
        self.kernel_id = found.group(1)
        ws_url = (self.base.replace("http://", "ws://", 1)
                  + f"/api/kernels/{self.kernel_id}/channels?session_id={self.session_id}")
        self._ws = await websocket_connect(ws_url, connect_timeout=self.timeout_s,
                                           max_message_size=256 * 1024 * 1024)
        self._reader = asyncio.get_running_loop().create_task(self._read())
        await self._request("kernel_info_request", {}, reply=True)
        self._states = asyncio.get_running_loop().create_future()
        await self._send("comm_open", {"comm_id": self._control, "target_name": "jupyter.widget.control",
                                       "data": {}}, metadata={"version": CONTROL_PROTOCOL})
        await self._send("comm_msg", {"comm_id": self._control, "data": {"method": "request_states"}})
        states = await asyncio.wait_for(self._states, self.timeout_s)
        for model_id, model in states.items():
            self.models[model_id] = {"model_name": model["model_name"], "state": dict(model["state"])}
        return time.perf_counter() - t0

    def close_abruptly(self) -> None:
        """Drop the connection without a goodbye, as a killed browser tab does (Voila is not told)."""
        if self._ws is not None:
            self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    # ------------------------------------------------------------------ the widgets
    def find(self, dom_class: str) -> str:
        """The id of the one widget carrying the CSS class ``dom_class``."""
        found = [mid for mid, m in self.models.items() if dom_class in m["state"].get("_dom_classes", ())]
        if len(found) != 1:
            raise PageError(f"{len(found)} widgets have the class {dom_class!r}")
        return found[0]

    def state(self, model_id: str) -> dict[str, Any]:
        """The widget's current state, as the page would show it."""
        return self.models[model_id]["state"]

    def text(self, dom_class: str) -> str:
        """The ``value`` of the widget with class ``dom_class`` (HTML widgets: their markup)."""
        return str(self.state(self.find(dom_class)).get("value", ""))

    async def set(self, model_id: str, **state: Any) -> float:
        """Send a user's change of ``state``; seconds until the kernel has handled it."""
        self.state(model_id).update(state)
        return await self._request("comm_msg", {"comm_id": model_id, "data": {
            "method": "update", "state": state, "buffer_paths": []}})

    async def choose(self, dom_class: str, label: str) -> float:
        """Choose ``label`` in the dropdown with class ``dom_class`` (the page sends its index)."""
        model_id = self.find(dom_class)
        labels = list(self.state(model_id)["_options_labels"])
        if label not in labels:
            raise PageError(f"{dom_class}: no option {label!r} in {labels}")
        return await self.set(model_id, index=labels.index(label))

    async def click(self, dom_class: str) -> float:
        """Click the button with class ``dom_class``; seconds until the kernel has handled it."""
        return await self._request("comm_msg", {"comm_id": self.find(dom_class), "data": {
            "method": "custom", "content": {"event": "click"}}})

    # ------------------------------------------------------------------ messages
    def _message(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None) -> dict:
        return {
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "load",
                       "session": self.session_id, "date": dt.datetime.now(dt.UTC).isoformat(),
                       "version": PROTOCOL},
            "parent_header": {}, "metadata": metadata or {}, "content": content,
            "channel": "shell", "buffers": [],
        }

    async def _send(self, msg_type: str, content: dict[str, Any], metadata: dict | None = None) -> str:
        msg = self._message(msg_type, content, metadata)
        await self._ws.write_message(json.dumps(msg))
        return msg["header"]["msg_id"]

    async def _request(self, msg_type: str, content: dict[str, Any], *, reply: bool = False) -> float:
        """Send and wait for the kernel's idle status for it (or its shell reply); seconds taken."""
        loop = asyncio.get_running_loop()
        msg = self._message(msg_type, content, None)
        msg_id = msg["header"]["msg_id"]
        waiter = loop.create_future()
        (self._replies if reply else self._idle)[msg_id] = waiter
        t0 = time.perf_counter()
        await self._ws.write_message(json.dumps(msg))
        await asyncio.wait_for(waiter, self.timeout_s)
        return time.perf_counter() - t0

    async def _read(self) -> None:
        while True:
            raw = await self._ws.read_message()
            if raw is None:
                for waiter in [*self._idle.values(), *self._replies.values()]:
                    if not waiter.done():
                        waiter.set_exception(PageError("the kernel's websocket closed"))
                return
            msg = deserialize_binary_message(raw) if isinstance(raw, bytes) else json.loads(raw)
            self._dispatch(msg)

    def _dispatch(self, msg: dict[str, Any]) -> None:
        kind = msg["header"]["msg_type"]
        parent = (msg.get("parent_header") or {}).get("msg_id", "")
        content = msg.get("content", {})
        if kind == "status" and content.get("execution_state") == "idle" and parent in self._idle:
            waiter = self._idle.pop(parent)
            if not waiter.done():
                waiter.set_result(None)
        elif msg.get("channel") == "shell" and parent in self._replies:
            waiter = self._replies.pop(parent)
            if not waiter.done():
                waiter.set_result(msg)
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            data = content.get("data", {})
            self.models[content["comm_id"]] = {"model_name": data.get("state", {}).get("_model_name", ""),
                                               "state": dict(data.get("state", {}))}
        elif kind == "comm_msg":
            data = content.get("data", {})
            comm_id = content.get("comm_id", "")
            if comm_id == self._control and data.get("method") == "update_states":
                if self._states is not None and not self._states.done():
                    self._states.set_result(data["states"])
            elif data.get("method") in ("update", "echo_update") and comm_id in self.models:
                self.models[comm_id]["state"].update(data.get("state", {}))
        elif kind == "comm_close":
            self.models.pop(content.get("comm_id", ""), None)
