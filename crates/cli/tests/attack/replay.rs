//! One passcode, one session: the time step is claimed atomically with the check.

use shikaku::AuditKind;
use shikaku::testing::INITIAL_PASSWORD;

use crate::binary::{self, CHEAP, Server};
use crate::client::{Browser, Response};
use crate::inproc::{self, InProc, code_at, login};
use crate::lockout::all_at_once;
use crate::{m, shared};

/// A browser holding a login ticket of `login_id`, on the passcode screen.
fn ticket_holder(w: &InProc, login_id: &str) -> Browser {
    let mut b = w.browser();
    let r = login(&mut b, login_id, INITIAL_PASSWORD);
    assert_eq!(r.redirect(), "/login/passcode", "{}", r.text());
    b.get("/login/passcode");
    b
}

fn sessions_opened(answers: &[(Browser, Response)]) -> usize {
    answers
        .iter()
        .filter(|(_, r)| r.status == 303 && r.location() == "/menu")
        .count()
}

/// Two browsers (two tickets) send the same valid passcode at the same moment; then one
/// browser double-submits on one ticket. Each time exactly one session opens. Then, to
/// give a race a real chance, 10 rounds of 8 browsers at once, each round a new code.
#[test]
fn two_concurrent_submissions_of_one_passcode_open_exactly_one_session() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("race01");
    let code = w.code(&key);
    let requests = (0..2)
        .map(|_| {
            let b = ticket_holder(&w, "race01");
            let bytes = b.form_bytes("/login/passcode", &[("passcode", &code)]);
            (b, bytes)
        })
        .collect();
    let answers = all_at_once(requests);
    assert_eq!(sessions_opened(&answers), 1, "{answers:#?}");
    let (_, loser) = answers
        .iter()
        .find(|(_, r)| r.location() != "/menu")
        .unwrap();
    loser.assert_page(m().err_passcode_wrong);
    assert_eq!(w.count(AuditKind::ReplayRefused), 1);
    assert_eq!(w.count(AuditKind::SessionStarted), 2, "enrollment + one");

    // The same ticket twice at once (a double click). The replay above counted as a
    // wrong passcode; cleared, so that this replay cannot be the third.
    let account = w.key("race01");
    w.service.unlock(&account).unwrap();
    w.next_step();
    let code = w.code(&key);
    let b = ticket_holder(&w, "race01");
    let bytes = b.form_bytes("/login/passcode", &[("passcode", &code)]);
    let answers = all_at_once(vec![(b.clone(), bytes.clone()), (b, bytes)]);
    assert_eq!(sessions_opened(&answers), 1, "{answers:#?}");
    for (_, r) in &answers {
        if r.location() != "/menu" {
            // Either the replay answer, or the ticket is already spent.
            assert!(
                r.location() == "/login" || r.text().contains(m().err_passcode_wrong),
                "{r:?}"
            );
        }
    }
    assert_eq!(w.count(AuditKind::SessionStarted), 3);

    for round in 0..10 {
        w.next_step();
        w.service.unlock(&account).unwrap(); // 7 replays a round would lock
        let code = w.code(&key);
        let requests = (0..8)
            .map(|_| {
                let b = ticket_holder(&w, "race01");
                let bytes = b.form_bytes("/login/passcode", &[("passcode", &code)]);
                (b, bytes)
            })
            .collect();
        let answers = all_at_once(requests);
        assert_eq!(sessions_opened(&answers), 1, "round {round}: {answers:#?}");
    }
    assert_eq!(w.count(AuditKind::SessionStarted), 13);
}

/// The victim logs in with a passcode; an attacker who knows the password and saw the
/// code sends it from another browser within the same 30 seconds: refused.
#[test]
fn a_passcode_replayed_from_another_browser_is_refused() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("replay01");
    let code = w.code(&key);
    let mut victim = ticket_holder(&w, "replay01");
    let mut attacker = ticket_holder(&w, "replay01");
    assert_eq!(
        victim
            .post("/login/passcode", &[("passcode", &code)])
            .redirect(),
        "/menu"
    );
    let r = attacker.post("/login/passcode", &[("passcode", &code)]);
    r.assert_page(m().err_passcode_wrong);
    assert_eq!(attacker.get("/menu").redirect(), "/login");
    assert_eq!(w.count(AuditKind::ReplayRefused), 1);
    // The victim's session is untouched.
    victim.get("/menu").assert_page("replay01");
}

/// The passcode that confirmed the registration cannot open the first session.
#[test]
fn the_enrollment_passcode_cannot_be_reused_for_the_first_login() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("reuse01");
    let mut b = w.browser();
    let key = inproc::enroll(&mut b, "reuse01", INITIAL_PASSWORD, |k| w.code(k));
    let spent = w.code(&key);
    inproc::logout(&mut b);
    // Same 30-second step: the code on screen is still the spent one.
    let mut again = ticket_holder(&w, "reuse01");
    let r = again.post("/login/passcode", &[("passcode", &spent)]);
    r.assert_page(m().err_passcode_wrong);
    assert_eq!(w.count(AuditKind::ReplayRefused), 1);
    assert_eq!(
        w.count(AuditKind::SessionStarted),
        1,
        "the enrollment's only"
    );
    // The next code works.
    w.next_step();
    let r = again.post("/login/passcode", &[("passcode", &w.code(&key))]);
    assert_eq!(r.redirect(), "/menu");
}

fn full_width(code: &str) -> String {
    code.chars()
        .map(|c| char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap())
        .collect()
}

/// Full-width digits and surrounding (ideographic) spaces are normalised before the
/// replay check: a used code in any spelling is a replay, and a fresh code in those
/// spellings is accepted (so the refusals are replay refusals, not format errors).
/// A space inside the code is refused outright.
#[test]
fn normalised_spellings_of_a_used_passcode_cannot_replay_it() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("norm01");
    let account = w.key("norm01");

    // A fresh code typed in full-width digits is accepted.
    let code = w.code(&key);
    let mut first = ticket_holder(&w, "norm01");
    let r = first.post("/login/passcode", &[("passcode", &full_width(&code))]);
    assert_eq!(r.redirect(), "/menu", "full-width digits: {}", r.text());

    let spellings = [
        code.clone(),
        format!(" {code} "),
        format!("\u{3000}{code}\u{3000}"),
        full_width(&code),
        format!("{}{}", &code[..3], full_width(&code[3..])),
    ];
    for (n, spelling) in spellings.iter().enumerate() {
        w.service.unlock(&account).unwrap(); // each try is a wrong passcode
        let mut b = ticket_holder(&w, "norm01");
        let r = b.post("/login/passcode", &[("passcode", spelling)]);
        r.assert_page(m().err_passcode_wrong);
        assert_eq!(
            w.count(AuditKind::ReplayRefused),
            n + 1,
            "{spelling:?} must reach the replay check as the same code"
        );
    }
    // "123 456" (as apps display it) is the same code: it reaches the replay check.
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let mut b = ticket_holder(&w, "norm01");
    let replays = w.count(AuditKind::ReplayRefused);
    let r = b.post("/login/passcode", &[("passcode", &spaced)]);
    assert_eq!(r.status, 200, "{}", r.text());
    r.assert_page(m().err_passcode_wrong);
    assert_eq!(w.count(AuditKind::ReplayRefused), replays + 1);
    assert_eq!(w.count(AuditKind::SessionStarted), 2, "enrollment + first");

    // The next fresh code, with spaces around it, is accepted.
    w.next_step();
    let r = b.post(
        "/login/passcode",
        &[("passcode", &format!("\u{3000}{} ", w.code(&key)))],
    );
    assert_eq!(r.redirect(), "/menu", "{}", r.text());
}

#[allow(clippy::disallowed_methods)] // the real binary runs on the system clock
fn system_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The real binary over SQLite (slower store, wider race window): 8 browsers send the
/// same fresh passcode at once; exactly one session opens.
#[test]
fn concurrent_submissions_of_one_passcode_on_the_real_binary_open_one_session() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("race02", INITIAL_PASSWORD)
        .serve("info");
    let mut first = server.browser();
    let key = inproc::enroll(&mut first, "race02", INITIAL_PASSWORD, |k| {
        code_at(k, system_now())
    });
    inproc::logout(&mut first);
    let holders: Vec<Browser> = (0..8)
        .map(|_| {
            let mut b = server.browser();
            assert_eq!(
                login(&mut b, "race02", INITIAL_PASSWORD).redirect(),
                "/login/passcode"
            );
            b.get("/login/passcode");
            b
        })
        .collect();
    // The next step's code: within the ±1 window now, and never the enrollment's.
    let code = code_at(&key, system_now() + time::Duration::seconds(30));
    let requests = holders
        .into_iter()
        .map(|b| {
            let bytes = b.form_bytes("/login/passcode", &[("passcode", &code)]);
            (b, bytes)
        })
        .collect();
    let answers = all_at_once(requests);
    assert_eq!(sessions_opened(&answers), 1, "{answers:#?}");
    let events = server.audit();
    assert_eq!(binary::count(&events, "session_started", "race02"), 2);
    // Every other submission was refused as a replay, or met the lock that the replays
    // set. The lock records its period's first refusal (and, when the winner's success
    // lifts it, one count) — not one event per refused submission.
    let replays = binary::count(&events, "replay_refused", "race02");
    let refusals = binary::count(&events, "passcode_attempt_while_locked", "race02");
    assert!((2..=7).contains(&replays), "{replays} replays");
    if replays < 7 {
        assert!(
            (1..=3).contains(&refusals),
            "{refusals} refusal events for {} refused submissions",
            7 - replays
        );
    }
}
