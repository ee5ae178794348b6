//! TLS by rustls against a server that requires it of every TCP connection (its
//! certificate is for `localhost` only, signed by a CA made for the test).

use std::sync::OnceLock;

use shikaku::Store;
use shikaku_store_postgres::testing::{TempPostgres, TempPostgresOptions};
use shikaku_store_postgres::{Error, PostgresStore};

use crate::support::options;

fn server() -> &'static TempPostgres {
    static TLS: OnceLock<TempPostgres> = OnceLock::new();
    TLS.get_or_init(|| {
        let mut o = TempPostgresOptions::default();
        o.tls = true;
        TempPostgres::start_new(o)
    })
}

/// A URL of a new database on the TLS server, with `query` appended.
fn url(host: &str, query: &str) -> String {
    let pg = server();
    let with_ip = pg.new_database();
    let db = with_ip.rsplit('/').next().unwrap().to_owned();
    format!("postgres://postgres@{host}:{}/{db}?{query}", pg.port())
}

fn ca() -> String {
    server().ca_cert().unwrap().display().to_string()
}

fn connect(url: &str) -> Result<PostgresStore, Error> {
    PostgresStore::connect(&options(url.to_owned()))
}

#[test]
fn without_tls_the_server_refuses() {
    let err = connect(&url("127.0.0.1", "sslmode=disable"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("pg_hba.conf") || err.contains("no encryption"),
        "{err}"
    );
}

#[test]
fn prefer_and_require_encrypt_without_checking_the_certificate() {
    for mode in ["prefer", "require"] {
        let store = connect(&url("127.0.0.1", &format!("sslmode={mode}"))).unwrap();
        store.ping().unwrap();
    }
}

#[test]
fn verify_full_accepts_the_right_host_and_ca() {
    let store = connect(&url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", ca()),
    ))
    .unwrap();
    store.ping().unwrap();
    assert_eq!(store.recent_audit(1).unwrap().len(), 0);
}

#[test]
fn verify_full_refuses_a_certificate_for_another_name() {
    let err = connect(&url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={}", ca()),
    ))
    .err()
    .unwrap();
    let text = err.to_string();
    assert!(matches!(err, Error::Connect { .. }), "{text}");
    assert!(
        text.contains("TLS") && text.contains("not valid for name"),
        "{text}"
    );
}

#[test]
fn verify_ca_checks_the_issuer_but_not_the_name() {
    let store = connect(&url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", ca()),
    ))
    .unwrap();
    store.ping().unwrap();
}

#[test]
fn verify_full_refuses_an_unknown_issuer() {
    let other = server().unrelated_ca_cert().unwrap().display().to_string();
    let err = connect(&url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={other}"),
    ))
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("UnknownIssuer"), "{err}");
    // The system's roots do not know the test CA either.
    let err = connect(&url("localhost", "sslmode=verify-full"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("UnknownIssuer"), "{err}");
}

#[test]
fn an_unreadable_root_certificate_file_is_a_tls_error() {
    let err = connect(&url(
        "localhost",
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    ))
    .err()
    .unwrap();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
}

#[test]
fn a_password_login_works_over_verified_tls() {
    // SCRAM over rustls (with channel binding where the server offers it).
    let url = server().create_user("tls_staff", "TlsPassword1");
    let url = format!("{url}?sslmode=verify-ca&sslrootcert={}", ca());
    let store = connect(&url).unwrap();
    store.ping().unwrap();
    let wrong = connect(&url.replace("TlsPassword1", "TlsPassword2"))
        .err()
        .unwrap();
    assert!(
        wrong.to_string().contains("password authentication failed"),
        "{wrong}"
    );
}
