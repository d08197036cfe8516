"""A reverse proxy that strips a path prefix, as a deployer's nginx or Caddy does with
`location /giamngheo/ { proxy_pass http://127.0.0.1:8080/; }`: the platform posts to
https://host/giamngheo/tg/…, the bot receives /tg/…. Headers and body are passed on as they are.
"""

from __future__ import annotations

import aiohttp
from aiohttp import web

# Hop-by-hop headers a proxy does not forward (RFC 9110 §7.6.1), plus the ones aiohttp sets.
_SKIP = frozenset({"host", "connection", "keep-alive", "transfer-encoding", "content-length",
                   "te", "trailer", "upgrade", "proxy-authorization"})


class PrefixProxy:
    """`async with PrefixProxy("/giamngheo", "http://127.0.0.1:PORT") as proxy:` then post to
    `proxy.url + "/giamngheo/…"`. A path outside the prefix gets the proxy's own 404."""

    def __init__(self, prefix: str, target: str) -> None:
        self.prefix = prefix.rstrip("/")
        self.target = target.rstrip("/")
        self.url = ""
        self.forwarded: list[str] = []  # the paths the bot was asked for
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> PrefixProxy:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if not (path == self.prefix or path.startswith(self.prefix + "/")):
            return web.Response(status=404, text="proxy: no such location")
        local = path[len(self.prefix):] or "/"
        self.forwarded.append(local)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SKIP}
        assert self._http is not None
        async with self._http.request(request.method, self.target + local,
                                      params=request.query, data=await request.read(),
                                      headers=headers) as answer:
            return web.Response(status=answer.status, body=await answer.read(),
                                content_type=answer.content_type)
