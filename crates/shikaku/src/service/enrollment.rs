//! [Authenticator 登録]: the pending secret of one registration, its QR code, setup key
//! and print sheet, and 《Authenticator 登録確認に進む》's print confirmation.
//!
//! A registration in progress belongs to the login that created it: 《ログイン》 of an
//! account without an Authenticator drops any earlier login's registration (and ends
//! those logins), and the new login draws a fresh secret when it first shows
//! [Authenticator 登録]. So a QR code shown or printed for an earlier login stops
//! working, and a login can only view, print or confirm its own registration — an
//! older login whose registration a later one replaced is [`Error::LoginExpired`].

use zeroize::Zeroizing;

use crate::error::Error;
use crate::keys::{SealedSecret, Token, TokenDigest};
use crate::qr::{EnrollmentSheet, QrCode};
use crate::store::{AccountRecord, PendingMfa, Store};
use crate::totp::PendingEnrollment;

use super::{EnrollmentView, PrintPrompt, Shikaku};

impl<S: Store> Shikaku<S> {
    /// [Authenticator 登録]: QR code, setup key and URI for a login that needs enrollment.
    pub fn enrollment(&self, ticket: &Token) -> Result<EnrollmentView, Error> {
        let (record, account) = self.resolve_ticket(ticket)?;
        let pending = self.pending_enrollment(&account, &record.digest)?;
        let otpauth_uri = pending
            .otpauth_uri(&self.config.issuer, account.key.login_id.as_str())
            .to_uri_string();
        let qr = QrCode::new(&otpauth_uri).map_err(|e| Error::Render(e.to_string()))?;
        Ok(EnrollmentView {
            institution_code: account.key.institution_code,
            login_id: account.key.login_id,
            issuer: self.config.issuer.clone(),
            setup_key: pending.setup_key(),
            qr_svg: Zeroizing::new(qr.to_svg()),
            otpauth_uri,
        })
    }

    /// The printable A4 enrollment sheet (HTML) for a login that needs enrollment.
    pub fn enrollment_sheet(&self, ticket: &Token) -> Result<Zeroizing<String>, Error> {
        let view = self.enrollment(ticket)?;
        let display = view.setup_key.display_form();
        let copy = view.setup_key.copy_form();
        let sheet = EnrollmentSheet {
            issuer: &view.issuer,
            institution_code: view.institution_code.as_str(),
            login_id: view.login_id.as_str(),
            setup_key_display: &display,
            setup_key_copy: &copy,
            otpauth_uri: &view.otpauth_uri,
            issued_on: crate::jst_date(self.clock.now()),
        };
        sheet
            .render_html()
            .map(Zeroizing::new)
            .map_err(|e| Error::Render(e.to_string()))
    }

    /// The QR code as PNG (for download or print).
    pub fn enrollment_png(&self, ticket: &Token) -> Result<Zeroizing<Vec<u8>>, Error> {
        let view = self.enrollment(ticket)?;
        let qr = QrCode::new(&view.otpauth_uri).map_err(|e| Error::Render(e.to_string()))?;
        qr.to_png(8)
            .map(Zeroizing::new)
            .map_err(|e| Error::Render(e.to_string()))
    }

    /// 《Authenticator 登録確認に進む》: which print confirmation to show. The first call
    /// per registration answers [`PrintPrompt::FirstTime`], every later one [`PrintPrompt::Later`].
    pub fn proceed_to_confirmation(&self, ticket: &Token) -> Result<PrintPrompt, Error> {
        let (record, account) = self.resolve_ticket(ticket)?;
        self.pending_enrollment(&account, &record.digest)?;
        let mut prompt = PrintPrompt::Later;
        self.store
            .update_account(account.id, &mut |a| match &mut a.pending_mfa {
                Some(p) if p.ticket == Some(record.digest) && !p.print_prompt_shown => {
                    p.print_prompt_shown = true;
                    prompt = PrintPrompt::FirstTime;
                    true
                }
                _ => {
                    prompt = PrintPrompt::Later;
                    false
                }
            })?;
        Ok(prompt)
    }

    /// 《ログイン》 of an account without an Authenticator: the registration in progress
    /// (an earlier login's, whose QR code may have been printed or seen by someone else)
    /// is dropped; the new login draws its own when it first shows [Authenticator 登録].
    pub(super) fn start_registration_over(&self, account: &AccountRecord) -> Result<(), Error> {
        let now = self.clock.now();
        self.store.update_account(account.id, &mut |a| {
            if a.mfa.is_some() || a.pending_mfa.is_none() {
                return false;
            }
            a.pending_mfa = None;
            a.updated_at = now;
            true
        })?;
        Ok(())
    }

    /// The registration in progress of the login of `ticket`, drawn and stored (sealed) on
    /// its first view. One stored before registrations belonged to a login (no ticket) is
    /// replaced; another login's is [`Error::LoginExpired`].
    fn pending_enrollment(
        &self,
        account: &AccountRecord,
        ticket: &TokenDigest,
    ) -> Result<PendingEnrollment, Error> {
        if account.mfa.is_some() {
            return Err(Error::AlreadyEnrolled);
        }
        match &account.pending_mfa {
            Some(pending) if pending.ticket == Some(*ticket) => {
                return self.open_pending(account, &pending.secret);
            }
            Some(pending) if pending.ticket.is_some() => return Err(Error::LoginExpired),
            _ => {}
        }
        let sealed = self.draw_sealed(account)?;
        let now = self.clock.now();
        let mut installed = None;
        let mut replaced = false;
        let stored = self.store.update_account(account.id, &mut |a| {
            installed = None;
            replaced = false;
            if a.mfa.is_some() {
                return false;
            }
            match &a.pending_mfa {
                // Another request of this login installed one first: use it.
                Some(p) if p.ticket == Some(*ticket) => {
                    installed = Some(p.secret.clone());
                    false
                }
                // A later login's registration: this login is over.
                Some(p) if p.ticket.is_some() => {
                    replaced = true;
                    false
                }
                _ => {
                    a.pending_mfa = Some(PendingMfa {
                        secret: sealed.clone(),
                        ticket: Some(*ticket),
                        print_prompt_shown: false,
                        created_at: now,
                    });
                    a.updated_at = now;
                    installed = Some(sealed.clone());
                    true
                }
            }
        })?;
        match (stored, installed) {
            (Some(_), Some(sealed)) => self.open_pending(account, &sealed),
            (Some(_), None) if !replaced => Err(Error::AlreadyEnrolled),
            _ => Err(Error::LoginExpired),
        }
    }

    /// A fresh secret, sealed for `account`.
    fn draw_sealed(&self, account: &AccountRecord) -> Result<SealedSecret, Error> {
        let drawn = self.rng.with(|r| PendingEnrollment::new(r));
        self.secret_box.seal(account.id, drawn.secret(), &self.rng)
    }

    fn open_pending(
        &self,
        account: &AccountRecord,
        sealed: &SealedSecret,
    ) -> Result<PendingEnrollment, Error> {
        let secret = self.secret_box.open(account.id, sealed)?;
        Ok(PendingEnrollment::from_secret(secret))
    }
}
