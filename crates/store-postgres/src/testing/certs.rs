//! Test certificates for a TLS-enabled [`TempPostgres`](super::TempPostgres): a CA made
//! on the spot and a server certificate it signs for the name `localhost` only (so a
//! client connecting to `127.0.0.1` with `verify-full` must fail and with `verify-ca`
//! must pass).

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

/// Where the files of one server's TLS went.
#[derive(Clone, Debug)]
pub(super) struct TlsFiles {
    /// The CA certificate (PEM): what a client names as `sslrootcert`.
    pub(super) ca: PathBuf,
    /// Another CA's certificate, which signed nothing: for "unknown issuer" tests.
    pub(super) other_ca: PathBuf,
    pub(super) server_cert: PathBuf,
    pub(super) server_key: PathBuf,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params =
        CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("CA params: {e}"));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("CA key: {e}"));
    CertifiedIssuer::self_signed(params, key).unwrap_or_else(|e| panic!("CA certificate: {e}"))
}

/// Writes a CA, a second unrelated CA and a `localhost` server certificate into `dir`.
pub(super) fn write(dir: &Path) -> TlsFiles {
    let issuer = ca("shikaku TempPostgres test CA");
    let other = ca("shikaku TempPostgres unrelated CA");
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap_or_else(|e| panic!("server params: {e}"));
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("server key: {e}"));
    let cert = params
        .signed_by(&key, &issuer)
        .unwrap_or_else(|e| panic!("server certificate: {e}"));
    let files = TlsFiles {
        ca: dir.join("ca.pem"),
        other_ca: dir.join("other-ca.pem"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
    };
    let write = |path: &Path, text: String| {
        fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    };
    write(&files.ca, issuer.pem());
    write(&files.other_ca, other.pem());
    write(&files.server_cert, cert.pem());
    write(&files.server_key, key.serialize_pem());
    files
}
