"""How zoomhost trusts Zoom's HTTPS: the operating system's certificate store, and the certificates it ships.

Many schools filter the web through a proxy that inspects HTTPS, re-signing every site with the
school's own root certificate, which IT installs in the operating system (so browsers trust it).
A program that trusted only the certificates it ships would fail every call behind such a filter;
zoomhost's HTTPS and WebSocket connections trust the operating system's store (through
``truststore``: Windows' and macOS' own verification, OpenSSL's system store on Linux, which
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` move) and, as well, certifi's roots bundled with zoomhost.
Proxies come from the operating system's settings or ``HTTPS_PROXY`` (httpx and websockets read both).
"""

from __future__ import annotations

import ssl

import certifi
import truststore

#: What to say when a certificate is refused: most often a filter the school installed, not Zoom.
UNTRUSTED = (
    "The certificate {host} presented is not trusted by this computer. The likely cause is the school's web filter "
    "inspecting HTTPS with its own root certificate: ask IT to install that root certificate in the operating system's "
    "certificate store (as for browsers), or to let {host} through uninspected."
)


def zoom_ssl_context() -> ssl.SSLContext:
    """A fresh client context: the operating system's trusted roots, plus the roots zoomhost ships."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=certifi.where())
    return context


def untrusted_certificate(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a certificate this computer does not trust."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
