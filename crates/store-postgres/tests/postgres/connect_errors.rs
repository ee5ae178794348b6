//! A wrong URL or password gives a clear error that never contains the password.

use shikaku::Store;
use shikaku_store_postgres::testing::TempPostgres;
use shikaku_store_postgres::{Error, PostgresOptions, PostgresStore};

use crate::support::options;

// Letters and digits only, so the URL holds them as they are (no percent-encoding).
const PASSWORD: &str = "RightHorseBattery9";
const WRONG: &str = "WrongStapleGuess7";

fn connect(url: &str) -> Error {
    PostgresStore::connect(&options(url.to_owned())).unwrap_err()
}

#[test]
fn a_wrong_password_is_named_but_never_shown() {
    let pg = TempPostgres::shared();
    let url = pg.create_user("staff_app", PASSWORD);
    // The right password works (and the user can migrate its own database).
    let store = PostgresStore::connect(&options(url.clone())).unwrap();
    store.ping().unwrap();
    assert!(!format!("{store:?}").contains(PASSWORD));

    let wrong = url.replace(PASSWORD, WRONG);
    assert_ne!(wrong, url);
    let err = connect(&wrong);
    let (display, debug) = (err.to_string(), format!("{err:?}"));
    assert!(matches!(err, Error::Connect { .. }), "{debug}");
    assert!(
        display.contains("password authentication failed"),
        "{display}"
    );
    assert!(
        display.contains("staff_app@127.0.0.1"),
        "names the target: {display}"
    );
    assert!(
        display.contains("check the user name and password"),
        "{display}"
    );
    for text in [&display, &debug] {
        assert!(!text.contains(WRONG) && !text.contains(PASSWORD), "{text}");
    }
}

#[test]
fn a_missing_database_says_to_create_it() {
    let pg = TempPostgres::shared();
    let err = connect(&pg.url_for("no_such_database"));
    let display = err.to_string();
    assert!(display.contains("no_such_database"), "{display}");
    assert!(display.contains("create the database first"), "{display}");
}

#[test]
fn malformed_urls_are_refused_without_echoing_the_password() {
    for url in [
        format!("mysql://u:{WRONG}@127.0.0.1/d"),
        format!("postgres://u:{WRONG}@127.0.0.1:notaport/d"),
        format!("postgres://u:{WRONG}@127.0.0.1/d?sslmode=always"),
        format!("postgres://u:{WRONG}@127.0.0.1/d?sslcert=/etc/client.pem"),
        format!("postgres://u:{WRONG}@127.0.0.1/d?no_such_option=1"),
    ] {
        let err = connect(&url);
        let (display, debug) = (err.to_string(), format!("{err:?}"));
        assert!(matches!(err, Error::InvalidUrl { .. }), "{url}: {debug}");
        assert!(
            !display.contains(WRONG) && !debug.contains(WRONG),
            "{display} / {debug}"
        );
    }
}

#[test]
fn options_debug_hides_the_password() {
    let o = PostgresOptions::new(format!("postgres://u:{WRONG}@db/shikaku"));
    let debug = format!("{o:?}");
    assert!(debug.contains("postgres://u:***@db/shikaku"), "{debug}");
    assert!(!debug.contains(WRONG), "{debug}");
}

#[test]
fn nothing_listening_is_a_refused_connection_with_a_hint() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = connect(&format!("postgres://u:{WRONG}@127.0.0.1:{port}/d"));
    let display = err.to_string();
    assert!(display.contains("is the server running"), "{display}");
    assert!(!display.contains(WRONG), "{display}");
}

#[test]
fn a_pool_of_nothing_is_refused() {
    let mut o = options(TempPostgres::shared().url());
    o.pool_size = 0;
    let err = PostgresStore::connect(&o).unwrap_err();
    assert!(matches!(err, Error::InvalidOptions { .. }), "{err:?}");
    assert!(err.to_string().contains("pool_size"), "{err}");
}
