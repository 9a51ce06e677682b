"""The local CA and the server certificate: made once, renewed when they must change."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from heartlink_desktop import tls

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_first_run_makes_ca_and_leaf(tmp_path: Path) -> None:
    status = tls.ensure_certificates(tmp_path, ["192.168.1.20"], NOW)
    assert status.regenerated
    leaf, ca = _cert(status.cert_file), _cert(status.ca_file)
    leaf.verify_directly_issued_by(ca)
    assert set(status.ip_addresses) == {"127.0.0.1", "192.168.1.20"}
    assert status.dns_names == ("localhost",)
    assert status.covers("192.168.1.20") and not status.covers("10.0.0.9")
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= dt.timedelta(days=825)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert len(status.fingerprint.split(":")) == 32 and len(status.short_fingerprint.split(":")) == 8
    for key in (tmp_path / "ca.key", tmp_path / "server.key"):
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_kept_when_nothing_changed_renewed_when_needed(tmp_path: Path) -> None:
    first = tls.ensure_certificates(tmp_path, ["192.168.1.20"], NOW)
    same = tls.ensure_certificates(tmp_path, ["192.168.1.20"], NOW + dt.timedelta(days=10))
    assert not same.regenerated and same.fingerprint == first.fingerprint
    new_ip = tls.ensure_certificates(tmp_path, ["192.168.1.20", "10.0.0.5"], NOW)
    assert new_ip.regenerated and "10.0.0.5" in new_ip.ip_addresses
    assert new_ip.ca_fingerprint == first.ca_fingerprint  # the CA a phone installed stays valid
    near_expiry = NOW + dt.timedelta(days=810)
    renewed = tls.ensure_certificates(tmp_path, ["192.168.1.20", "10.0.0.5"], near_expiry)
    assert renewed.regenerated and renewed.not_after > new_ip.not_after
    assert renewed.ca_fingerprint == first.ca_fingerprint
    forced = tls.ensure_certificates(tmp_path, ["192.168.1.20"], NOW, force=True)
    assert forced.regenerated


def test_a_damaged_file_is_replaced(tmp_path: Path) -> None:
    tls.ensure_certificates(tmp_path, [], NOW)
    (tmp_path / "server.crt").write_text("garbage")
    status = tls.ensure_certificates(tmp_path, [], NOW)
    assert status.regenerated and _cert(status.cert_file)


def test_server_context_refuses_old_tls(tmp_path: Path) -> None:
    import ssl

    ctx = tls.server_context(tls.ensure_certificates(tmp_path, [], NOW))
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
