"""A self-signed TLS certificate for the simulator (``cryptography``), so clients can verify it.

The certificate is its own CA (``basicConstraints CA:TRUE``) with subject alternative names
``localhost``, ``127.0.0.1`` and ``::1`` (plus any extra hosts), valid for ten years around now.
Point clients at :attr:`TLSFiles.cert_path` (``requests``: ``session.verify = cert_path`` and
``session.trust_env = False`` when ``REQUESTS_CA_BUNDLE`` is set; httpx:
``verify=client_ssl_context(cert_path)``).
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class TLSFiles:
    """PEM files of a generated certificate and its private key."""

    cert_path: Path
    key_path: Path
    directory: Path


def generate_self_signed_cert(
    directory: str | Path | None = None, hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
) -> TLSFiles:
    """Write ``cert.pem`` and ``key.pem`` into ``directory`` (a new temp dir by default)."""
    target = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="sandbox-salesforce-tls-"))
    target.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Partner Hub Salesforce sandbox"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "partner-hub sandbox"),
        ]
    )
    alt_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = target / "cert.pem", target / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return TLSFiles(cert_path, key_path, target)


def client_ssl_context(cert_path: str | Path) -> ssl.SSLContext:
    """An SSL context trusting only the sandbox certificate (for httpx ``verify=``)."""
    return ssl.create_default_context(cafile=str(cert_path))
