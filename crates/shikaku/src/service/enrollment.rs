//! [Authenticator 登録]: the pending secret of one registration, its QR code, setup key
//! and print sheet, and 《Authenticator 登録確認に進む》's print confirmation.

use zeroize::Zeroizing;

use crate::error::Error;
use crate::keys::{SealedSecret, Token};
use crate::qr::{EnrollmentSheet, QrCode};
use crate::store::{AccountRecord, PendingMfa, Store};
use crate::totp::PendingEnrollment;

use super::{EnrollmentView, PrintPrompt, Shikaku};

impl<S: Store> Shikaku<S> {
    /// [Authenticator 登録]: QR code, setup key and URI for a login that needs enrollment.
    pub fn enrollment(&self, ticket: &Token) -> Result<EnrollmentView, Error> {
        let (_, account) = self.resolve_ticket(ticket)?;
        let pending = self.pending_enrollment(&account)?;
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
        let (_, account) = self.resolve_ticket(ticket)?;
        self.pending_enrollment(&account)?;
        let mut prompt = PrintPrompt::Later;
        self.store
            .update_account(account.id, &mut |a| match &mut a.pending_mfa {
                Some(p) if !p.print_prompt_shown => {
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

    /// The registration in progress of an account without an Authenticator, drawn and
    /// stored (sealed) on first use.
    fn pending_enrollment(&self, account: &AccountRecord) -> Result<PendingEnrollment, Error> {
        if account.mfa.is_some() {
            return Err(Error::AlreadyEnrolled);
        }
        if let Some(pending) = &account.pending_mfa {
            return self.open_pending(account, &pending.secret);
        }
        let drawn = self.rng.with(|r| PendingEnrollment::new(r));
        let sealed = self
            .secret_box
            .seal(account.id, drawn.secret(), &self.rng)?;
        let now = self.clock.now();
        let mut installed = None;
        let stored = self.store.update_account(account.id, &mut |a| {
            if a.mfa.is_some() {
                return false;
            }
            if a.pending_mfa.is_none() {
                a.pending_mfa = Some(PendingMfa {
                    secret: sealed.clone(),
                    print_prompt_shown: false,
                    created_at: now,
                });
                a.updated_at = now;
            }
            installed = a.pending_mfa.as_ref().map(|p| p.secret.clone());
            true
        })?;
        match (stored, installed) {
            // Another request may have installed its secret first: use the stored one.
            (Some(_), Some(sealed)) => self.open_pending(account, &sealed),
            (Some(_), None) => Err(Error::AlreadyEnrolled),
            (None, _) => Err(Error::LoginExpired),
        }
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
