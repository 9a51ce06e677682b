"""The host's local certificate authority and server certificate (the mkcert pattern)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from heartlink_desktop.paths import atomic_write

CA_DAYS = 3650
LEAF_DAYS = 825  # Apple refuses TLS server certificates valid for longer
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class CertStatus:
    """The host's certificate as the window and the page's CA link need it: the files,
    fingerprints, expiry and the names and addresses it covers. Made by `ensure_certificates`."""

    cert_file: Path
    key_file: Path
    ca_file: Path
    fingerprint: str  # SHA-256 of the server certificate, colon-separated hex
    ca_fingerprint: str
    not_after: dt.datetime
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    regenerated: bool

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:23]  # the first 8 bytes, enough to compare by eye

    def covers(self, address: str) -> bool:
        return address in self.ip_addresses or address in self.dns_names


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    atomic_write(path, pem, 0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    atomic_write(path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _load(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    return cert, key


def _make_ca(now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HeartLink local CA"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"HeartLink local CA {now:%Y-%m-%d %H:%M}"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_leaf(
    ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, ips: list[str], now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = [x509.DNSName("localhost")]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "HeartLink host")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS - 1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _sans(cert: x509.Certificate) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return (), ()
    dns = tuple(ext.get_values_for_type(x509.DNSName))
    ips = tuple(str(ip) for ip in ext.get_values_for_type(x509.IPAddress))
    return dns, ips


def _signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, Exception):
        return False
    return True


def ensure_certificates(
    certs_dir: Path, lan_ips: Iterable[str], now: dt.datetime | None = None, *, force: bool = False
) -> CertStatus:
    """Load or make the CA and the server certificate; renew the latter when it must change."""
    now = now or dt.datetime.now(dt.UTC)
    ca_crt, ca_key_file = certs_dir / "ca.crt", certs_dir / "ca.key"
    crt, key_file = certs_dir / "server.crt", certs_dir / "server.key"
    wanted = sorted({"127.0.0.1", *lan_ips}, key=lambda s: ipaddress.ip_address(s).packed)

    loaded_ca = _load(ca_crt, ca_key_file)
    if loaded_ca is None or loaded_ca[0].not_valid_after_utc - RENEW_BEFORE < now:
        loaded_ca = _make_ca(now)
        _write_key(ca_key_file, loaded_ca[1])
        _write_cert(ca_crt, loaded_ca[0])
        force = True
    ca, ca_key = loaded_ca

    leaf = None if force else _load(crt, key_file)
    regenerated = False
    if leaf is not None:
        _, ips = _sans(leaf[0])
        if (
            leaf[0].not_valid_after_utc - RENEW_BEFORE < now
            or not set(wanted) <= set(ips)
            or not _signed_by(leaf[0], ca)
        ):
            leaf = None
    if leaf is None:
        leaf = _make_leaf(ca, ca_key, wanted, now)
        _write_key(key_file, leaf[1])
        _write_cert(crt, leaf[0])
        regenerated = True
    dns, ips = _sans(leaf[0])
    return CertStatus(
        cert_file=crt,
        key_file=key_file,
        ca_file=ca_crt,
        fingerprint=_fingerprint(leaf[0]),
        ca_fingerprint=_fingerprint(ca),
        not_after=leaf[0].not_valid_after_utc,
        dns_names=dns,
        ip_addresses=ips,
        regenerated=regenerated,
    )


def server_context(status: CertStatus) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(status.cert_file), str(status.key_file))
    return ctx


def client_context(status: CertStatus) -> ssl.SSLContext:
    """A context that trusts the host's own CA (tests, smoke checks)."""
    ctx = ssl.create_default_context(cafile=str(status.ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx
