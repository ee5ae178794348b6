//! A receipt-computer host embedding shikaku with the SQLite store, in about 40 lines.
//!
//! Run: `cargo run -p shikaku-store-sqlite --example embed` (creates ./embed-demo.db and
//! its key file on first run; delete both to start over).
use std::sync::Arc;

use shikaku::password::Password;
use shikaku::totp::{Passcode, SetupKey, Verifier};
use shikaku::{Config, PasscodeLogin, PasswordChange, PasswordLogin, Shikaku};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (store, master_keys) = shikaku_store_sqlite::open_or_create("embed-demo.db")?;
    let service = Shikaku::builder(Arc::new(store))
        .master_keys(master_keys)
        .config(Config::default())
        .build()?;

    // An administrator issues the staff member's ユーザ設定情報 (or finds it issued last run).
    let login_id = format!("staff-{}", service.now().unix_timestamp());
    // What is typed is parsed once, at the edge: the facade takes domain types.
    let key = service.config().account_key("0123456789", &login_id)?;
    let settings = service.provision(&key, None)?;
    println!(
        "発行: 機関コード {} / ログイン ID {}",
        settings.institution_code, settings.login_id
    );

    // [ログイン] → no Authenticator yet → [Authenticator 登録].
    let PasswordLogin::NeedsEnrollment(ticket) =
        service.password_login(&key, &settings.initial_password)?
    else {
        return Err("expected the enrollment screen".into());
    };
    let view = service.enrollment(&ticket.token)?;
    println!(
        "セットアップキー: {}",
        view.setup_key.display_form().as_str()
    );
    println!(
        "印刷確認: {:?}",
        service.proceed_to_confirmation(&ticket.token)?
    );

    // The staff member types the 6-digit passcode the phone shows (here: the same algorithm).
    let secret = SetupKey::parse(&view.setup_key.copy_form())?;
    let typed = Verifier::default().generate(&secret, service.now());
    let code = Passcode::parse(typed.as_str())?;
    let PasscodeLogin::Session(session) = service.submit_passcode(&ticket.token, &code)? else {
        return Err("passcode refused".into());
    };
    println!(
        "MFA 登録完了: {} (session until {} JST)",
        session.enrolled,
        session.expires_at.to_offset(shikaku::JST).time()
    );

    // [パスワード変更]: a password sharing its first 5 characters with the current one is refused.
    let (cur, similar, fresh) = (
        &settings.initial_password,
        Password::new(format!("{}x#9Aa", &settings.initial_password.as_str()[..5])),
        Password::new("Kanja#Uketsuke2026"),
    );
    // Each request checks its session once and acts for what the check found.
    let checked = service.session(&session.token)?;
    if let PasswordChange::Rejected(v) =
        service.change_password(&checked, cur, &similar, &similar)?
    {
        v.iter()
            .for_each(|v| println!("変更不可: {}", v.message_ja()));
    }
    let checked = service.session(&session.token)?;
    println!(
        "パスワード変更: {:?}",
        service.change_password(&checked, cur, &fresh, &fresh)?
    );
    println!("ログアウト: {}", service.logout(&session.token)?);
    Ok(())
}
