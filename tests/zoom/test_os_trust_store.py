"""Behind a school's HTTPS-inspecting filter: zoomhost goes through the proxy the system names, and trusts the
filter's root certificate once it is in the operating system's store, as browsers do.

The filter is real, on loopback: an HTTP proxy that answers CONNECT, then speaks TLS to zoomhost with a
certificate signed by its own root (as an inspecting filter re-signs every site) and passes what it reads on
to the rehearsal Zoom. The "operating system's store" is the one OpenSSL reads on Linux, which
``SSL_CERT_FILE`` moves to a file this test controls; the root is nowhere else."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from zoomhost import cli
from zoomhost.rehearsal.server import RehearsalCredentials, RehearsalServer
from zoomhost.rehearsal.state import ZoomState
from zoomhost.system.config import Settings, save_settings
from zoomhost.zoom.scopes import SERVER_TO_SERVER_SCOPES

ZOOM_HOST = "localhost"
ZOOM_PORT = 9443  # nothing listens here: only the proxy can have carried zoomhost's requests


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_filter_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(the filter's root certificate, the certificate it shows for Zoom's address, that certificate's key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder().subject_name(_name("Oakfield web filter root")).issuer_name(_name("Oakfield web filter root"))
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder().subject_name(_name(ZOOM_HOST)).issuer_name(root.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(ZOOM_HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    root_pem, leaf_pem, key_pem = folder / "filter-root.pem", folder / "zoom-as-filtered.pem", folder / "zoom-as-filtered.key"
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    leaf_pem.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return root_pem, leaf_pem, key_pem


@dataclass
class InspectingFilter:
    """An HTTP CONNECT proxy that intercepts TLS with its own certificate and forwards to ``upstream``."""

    upstream: tuple[str, int]
    tls: ssl.SSLContext
    connects: list[str] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            if method != "CONNECT":
                writer.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                writer.close()
                return
            self.connects.append(target)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await writer.start_tls(self.tls)  # re-signed with the filter's root, as an inspecting filter does
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except (ConnectionError, ssl.SSLError, OSError, asyncio.IncompleteReadError):
            writer.close()

    def __enter__(self) -> InspectingFilter:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def main() -> None:
                server = await asyncio.start_server(self._client, "127.0.0.1", 0)
                self.port = server.sockets[0].getsockname()[1]
                ready.set()
                async with server:
                    await server.serve_forever()

            try:
                loop.run_until_complete(main())
            except (asyncio.CancelledError, RuntimeError):
                pass

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        assert loop is not None
        for task in asyncio.all_tasks(loop):
            loop.call_soon_threadsafe(task.cancel)
        self._thread.join(10)


@pytest.fixture
def school_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[InspectingFilter, Path, RehearsalServer]]:
    root_pem, leaf_pem, key_pem = make_filter_certificates(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(leaf_pem, key_pem)
    state = ZoomState()
    state.plan = "business"
    credentials = RehearsalCredentials.generate(account_id=state.account_id, scopes=SERVER_TO_SERVER_SCOPES)
    with RehearsalServer(state=state, credentials=credentials) as zoom, InspectingFilter(upstream=(zoom.host, zoom.port), tls=tls) as proxy:
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")  # the system's proxy setting
        base = f"https://{ZOOM_HOST}:{ZOOM_PORT}"
        monkeypatch.setenv("ZOOMHOST_API_BASE", base + "/v2")
        monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", base)
        monkeypatch.setenv("ZOOMHOST_WS_BASE", f"wss://{ZOOM_HOST}:{ZOOM_PORT}/ws")
        monkeypatch.setenv("ZOOMHOST_SUBSCRIPTION_ID", zoom.subscription_id)
        monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", credentials.account_id)
        monkeypatch.setenv("ZOOMHOST_CLIENT_ID", credentials.client_id)
        monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", credentials.client_secret)
        save_settings(Settings(host_email=state.users[state.host_id].email))
        yield proxy, root_pem, zoom


def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict[str, str]]]:
    status = cli.main(["doctor", "--json"])
    return status, {c["id"]: c for c in json.loads(capsys.readouterr().out)["checks"]}


def test_with_the_filters_root_in_the_os_store_everything_works_through_the_proxy(
    school_network: tuple[InspectingFilter, Path, RehearsalServer], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy, root_pem, zoom = school_network
    monkeypatch.setenv("SSL_CERT_FILE", str(root_pem))  # IT installed the filter's root in the operating system
    status, checks = doctor(capsys)
    failed = {k: c["detail"] for k, c in checks.items() if c["status"] == "fail"}
    assert status == 0 and not failed, failed
    assert checks["zoom_sign_in"]["status"] == "pass" and checks["zoom_event_subscription"]["status"] == "pass"
    assert f"https://{ZOOM_HOST}:{ZOOM_PORT}/v2" in checks["zoom"]["detail"]
    assert set(proxy.connects) == {f"{ZOOM_HOST}:{ZOOM_PORT}"} and len(proxy.connects) >= 3  # token, API and the event socket
    assert any(e.path.endswith("/meetings") for e in zoom.exchanges)  # and the calls reached Zoom through the filter


def test_without_it_the_failure_names_the_filters_certificate(
    school_network: tuple[InspectingFilter, Path, RehearsalServer], capsys: pytest.CaptureFixture[str]
) -> None:
    proxy, _root, _zoom = school_network
    status, checks = doctor(capsys)
    assert status == 3
    detail = checks["zoom_sign_in"]["detail"]
    assert checks["zoom_sign_in"]["status"] == "fail"
    assert f"The certificate {ZOOM_HOST} presented is not trusted by this computer" in detail
    assert "web filter inspecting HTTPS with its own root certificate" in detail and "operating system" in detail
    assert proxy.connects  # it did go through the system's proxy

