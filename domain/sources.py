"""Which web sites a data file may cite: the accepted source domains and the check against them.

Owns the model of `domain/data/source_domains.yaml` (one entry per domain with its kind:
government portal, legal database, state bank or insurer, established newspaper), its
validation (`load_source_domains`), and `accepted(url)`: whether a web address is on one of
those domains or a sub-domain of one. `urls_in(text)` finds the web addresses in any text
(a YAML or CSV file), so every data file is checked the same way.

No I/O: callers read the files and pass the parsed mapping or the text in.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_URL = re.compile(r"https?://[^\s\"'<>;,)\]]+")


class SourceDomainsError(ValueError):
    """source_domains.yaml is invalid; the message names file, entry and field."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceDomain(_Data):
    domain: str = Field(min_length=2, pattern=r"^[a-z0-9.-]+$")
    kind: Literal["government", "legal_db", "state_body", "newspaper"]
    name: str = Field(min_length=1)


class SourceDomains(_Data):
    version: Literal[1]
    domains: tuple[SourceDomain, ...] = Field(min_length=1)

    def domain_of(self, url: str) -> SourceDomain | None:
        """The accepted entry a web address falls under, or None."""
        host = host_of(url)
        if not host:
            return None
        return next(
            (d for d in self.domains if host == d.domain or host.endswith("." + d.domain)), None
        )

    def accepted(self, url: str) -> bool:
        return self.domain_of(url) is not None


def host_of(url: str) -> str:
    """The host of a web address, lower-case, without "www." or a trailing dot."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def urls_in(text: str) -> list[str]:
    """Every web address in `text`, in order."""
    return _URL.findall(text)


def load_source_domains(raw: Any, source_name: str) -> SourceDomains:
    try:
        parsed = SourceDomains.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise SourceDomainsError(f"{source_name}: {path}: {first['msg']}") from None
    seen: set[str] = set()
    for index, entry in enumerate(parsed.domains):
        if entry.domain in seen:
            raise SourceDomainsError(
                f"{source_name}: domains.{index}.domain: duplicate {entry.domain!r}"
            )
        seen.add(entry.domain)
    return parsed
