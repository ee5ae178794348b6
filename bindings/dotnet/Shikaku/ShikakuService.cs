// The .NET face of shikaku: one ShikakuService per database, the manual's flows as methods.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Shikaku.Native;

namespace Shikaku
{
    /// <summary>
    /// Staff MFA registration and login of 資格確認限定型レセコン連携機能, in-process, over an
    /// SQLite database (shikaku_ffi.dll / libshikaku_ffi.so).
    /// </summary>
    /// <remarks>
    /// Thread-safe: share one instance between threads. Every method blocks (those that
    /// check a password run argon2 for tens of milliseconds): call them off the UI thread.
    /// The manual's answers (a wrong password, a lock, a refused new password) are result
    /// objects; <see cref="ShikakuException"/> is for an ended login or session, malformed
    /// input, and database or configuration failures. Dispose closes the database.
    /// </remarks>
    public sealed unsafe class ShikakuService : IDisposable
    {
        private readonly ServiceHandle _handle;

        private ShikakuService(ServiceHandle handle)
        {
            _handle = handle;
        }

        /// <summary>The native library's version.</summary>
        public static string Version
        {
            get { return Utf8.Decode(NativeMethods.shikaku_version()); }
        }

        /// <summary>The stable name of a status, as the native library spells it.</summary>
        public static string StatusName(ShikakuStatus status)
        {
            return Utf8.Decode(NativeMethods.shikaku_status_name((uint)status));
        }

        /// <summary>
        /// Opens (creating on first use) the SQLite database at <paramref name="database"/>
        /// with the manual's settings; its key file is <c>&lt;database&gt;.key</c>.
        /// </summary>
        public static ShikakuService OpenDatabase(string database, Language language = Language.Japanese)
        {
            return Open(database, language, false);
        }

        /// <summary>
        /// Opens a service from a TOML configuration file (the format of
        /// <c>shikaku serve --config</c>); a relative database path is taken relative to the file.
        /// </summary>
        public static ShikakuService OpenConfig(string configPath, Language language = Language.Japanese)
        {
            return Open(configPath, language, true);
        }

        private static ShikakuService Open(string path, Language language, bool config)
        {
            if (path == null) throw new ArgumentNullException(config ? "configPath" : "database");
            byte[] text = Utf8.Encode(path);
            ServiceHandle handle = new ServiceHandle();
            shikaku_service* service = null;
            shikaku_error* error = null;
            shikaku_status status;
            fixed (byte* p = text)
            {
                status = config
                    ? NativeMethods.shikaku_open_config(p, (uint)language, &service, &error)
                    : NativeMethods.shikaku_open_database(p, (uint)language, &service, &error);
            }
            ErrorInfo.Check(status, error);
            handle.Adopt((IntPtr)service);
            return new ShikakuService(handle);
        }

        /// <summary>The language of the messages from now on (thread-safe).</summary>
        public void SetLanguage(Language language)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_error* error = null;
                ErrorInfo.Check(NativeMethods.shikaku_set_language(s.Pointer, (uint)language, &error), error);
            }
        }

        /// <summary>Closes the database (after any call still running on another thread).</summary>
        public void Dispose()
        {
            _handle.Dispose();
        }

        // [ログイン]

        /// <summary>《ログイン》: institution code, login ID and password.</summary>
        public LoginResult PasswordLogin(string institutionCode, string loginId, string password)
        {
            byte[] ic = Utf8.Encode(Required(institutionCode, "institutionCode"));
            byte[] id = Utf8.Encode(Required(loginId, "loginId"));
            byte[] pw = Utf8.Encode(Required(password, "password"));
            try
            {
                using (Borrowed s = new Borrowed(_handle))
                {
                    shikaku_login login = new shikaku_login();
                    shikaku_error* error = null;
                    shikaku_status status;
                    fixed (byte* pic = ic, pid = id, ppw = pw)
                    {
                        status = NativeMethods.shikaku_password_login(s.Pointer, pic, pid, ppw, &login, &error);
                    }
                    switch (status)
                    {
                        case shikaku_status.Ok:
                            LoginOutcome next = login.next == shikaku_next.Enroll
                                ? LoginOutcome.NeedsEnrollment
                                : LoginOutcome.NeedsPasscode;
                            return new LoginResult(next, Token.From(&login.token),
                                Time.FromUnix(login.expires_at), null, null);
                        case shikaku_status.Locked:
                        case shikaku_status.InvalidCredentials:
                        case shikaku_status.AccountDisabled:
                            ErrorInfo info = ErrorInfo.Take(status, error);
                            LoginOutcome outcome = status == shikaku_status.Locked ? LoginOutcome.Locked
                                : status == shikaku_status.AccountDisabled ? LoginOutcome.Disabled
                                : LoginOutcome.Invalid;
                            return new LoginResult(outcome, null, null, info.LockedUntil, info.Message);
                        default:
                            throw new ShikakuException(ErrorInfo.Take(status, error));
                    }
                }
            }
            finally
            {
                Utf8.Clear(pw);
            }
        }

        /// <summary>Which screen a login leads to: NeedsEnrollment or NeedsPasscode.</summary>
        public LoginOutcome LoginStage(Token loginToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(loginToken, "loginToken");
                shikaku_next next = shikaku_next.None;
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_login_stage(s.Pointer, &token, &next, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
                return next == shikaku_next.Enroll ? LoginOutcome.NeedsEnrollment : LoginOutcome.NeedsPasscode;
            }
        }

        /// <summary>《戻る》: ends a half-finished login.</summary>
        public void AbandonLogin(Token loginToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(loginToken, "loginToken");
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_abandon_login(s.Pointer, &token, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
            }
        }

        // [Authenticator 登録]

        /// <summary>[Authenticator 登録]: the setup key, the otpauth URI and the QR code.</summary>
        public Enrollment GetEnrollment(Token loginToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(loginToken, "loginToken");
                shikaku_enrollment* view = null;
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_enrollment_view(s.Pointer, &token, &view, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
                try
                {
                    Enrollment enrollment = new Enrollment();
                    enrollment.InstitutionCode = Utf8.Decode(NativeMethods.shikaku_enrollment_institution_code(view));
                    enrollment.LoginId = Utf8.Decode(NativeMethods.shikaku_enrollment_login_id(view));
                    enrollment.Issuer = Utf8.Decode(NativeMethods.shikaku_enrollment_issuer(view));
                    enrollment.SetupKeyDisplay = Utf8.Decode(NativeMethods.shikaku_enrollment_setup_key_display(view));
                    enrollment.SetupKeyCopy = Utf8.Decode(NativeMethods.shikaku_enrollment_setup_key_copy(view));
                    enrollment.OtpauthUri = Utf8.Decode(NativeMethods.shikaku_enrollment_otpauth_uri(view));
                    enrollment.QrSvg = Utf8.Decode(NativeMethods.shikaku_enrollment_qr_svg(view));
                    return enrollment;
                }
                finally
                {
                    NativeMethods.shikaku_enrollment_free(view);
                }
            }
        }

        /// <summary>The QR code as a PNG image.</summary>
        public byte[] GetEnrollmentPng(Token loginToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(loginToken, "loginToken");
                shikaku_bytes png = new shikaku_bytes();
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_enrollment_png(s.Pointer, &token, &png, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
                try
                {
                    byte[] copy = new byte[checked((int)(ulong)png.len)];
                    System.Runtime.InteropServices.Marshal.Copy((IntPtr)png.data, copy, 0, copy.Length);
                    return copy;
                }
                finally
                {
                    NativeMethods.shikaku_bytes_free(&png);
                }
            }
        }

        /// <summary>The printable A4 enrollment sheet (HTML) for 「印刷する」.</summary>
        public string GetEnrollmentSheetHtml(Token loginToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(loginToken, "loginToken");
                byte* html = null;
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_enrollment_sheet_html(s.Pointer, &token, &html, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
                try
                {
                    return Utf8.Decode(html);
                }
                finally
                {
                    NativeMethods.shikaku_string_free(html);
                }
            }
        }

        /// <summary>《Authenticator 登録確認に進む》: which print confirmation to show.</summary>
        public PrintPrompt ProceedToConfirmation(Token loginToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(loginToken, "loginToken");
                shikaku_print_prompt prompt = shikaku_print_prompt.None;
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_proceed_to_confirmation(s.Pointer, &token, &prompt, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
                return prompt == shikaku_print_prompt.FirstTime ? PrintPrompt.FirstTime : PrintPrompt.Later;
            }
        }

        // 《パスコードを送信》, sessions

        /// <summary>《パスコードを送信》: the 6-digit passcode for a login.</summary>
        public PasscodeResult SubmitPasscode(Token loginToken, string passcode)
        {
            byte[] code = Utf8.Encode(Required(passcode, "passcode"));
            try
            {
                using (Borrowed s = new Borrowed(_handle))
                {
                    shikaku_token token = In(loginToken, "loginToken");
                    shikaku_session_grant grant = new shikaku_session_grant();
                    shikaku_error* error = null;
                    shikaku_status status;
                    fixed (byte* pcode = code)
                    {
                        status = NativeMethods.shikaku_submit_passcode(s.Pointer, &token, pcode, &grant, &error);
                    }
                    Wipe(&token);
                    PasscodeResult result = new PasscodeResult();
                    switch (status)
                    {
                        case shikaku_status.Ok:
                            result.Outcome = PasscodeOutcome.Session;
                            result.Session = Token.From(&grant.token);
                            result.ExpiresAt = Time.FromUnix(grant.expires_at);
                            result.Enrolled = grant.enrolled;
                            result.MustChangePassword = grant.must_change_password;
                            return result;
                        case shikaku_status.InvalidPasscode:
                        case shikaku_status.Locked:
                            ErrorInfo info = ErrorInfo.Take(status, error);
                            result.Outcome = status == shikaku_status.Locked ? PasscodeOutcome.Locked : PasscodeOutcome.Invalid;
                            result.LockedUntil = info.LockedUntil;
                            result.Message = info.Message;
                            return result;
                        default:
                            throw new ShikakuException(ErrorInfo.Take(status, error));
                    }
                }
            }
            finally
            {
                Utf8.Clear(code);
            }
        }

        /// <summary>
        /// Checks a session and records the activity. An ended session throws
        /// <see cref="ShikakuException"/> with SessionExpired, SessionSuperseded or SessionUnknown.
        /// </summary>
        public SessionInfo CheckSession(Token sessionToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(sessionToken, "sessionToken");
                shikaku_session_info info = new shikaku_session_info();
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_session_check(s.Pointer, &token, &info, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
                SessionInfo session = new SessionInfo();
                session.InstitutionCode = Utf8.Field(info.account.institution_code, 33);
                session.LoginId = Utf8.Field(info.account.login_id, 65);
                session.ExpiresAt = Time.FromUnix(info.expires_at);
                session.MustChangePassword = info.must_change_password;
                return session;
            }
        }

        /// <summary>《ログアウト》: true if the session was active.</summary>
        public bool Logout(Token sessionToken)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_token token = In(sessionToken, "sessionToken");
                bool wasActive = false;
                shikaku_error* error = null;
                shikaku_status status = NativeMethods.shikaku_logout(s.Pointer, &token, &wasActive, &error);
                Wipe(&token);
                ErrorInfo.Check(status, error);
                return wasActive;
            }
        }

        /// <summary>《変更》 on [パスワード変更] for an active session.</summary>
        public PasswordChangeResult ChangePassword(Token sessionToken, string currentPassword,
            string newPassword, string newPasswordAgain)
        {
            byte[] current = Utf8.Encode(Required(currentPassword, "currentPassword"));
            byte[] fresh = Utf8.Encode(Required(newPassword, "newPassword"));
            byte[] again = Utf8.Encode(Required(newPasswordAgain, "newPasswordAgain"));
            try
            {
                using (Borrowed s = new Borrowed(_handle))
                {
                    shikaku_token token = In(sessionToken, "sessionToken");
                    shikaku_error* error = null;
                    shikaku_status status;
                    fixed (byte* pc = current, pn = fresh, pa = again)
                    {
                        status = NativeMethods.shikaku_change_password(s.Pointer, &token, pc, pn, pa, &error);
                    }
                    Wipe(&token);
                    PasswordChangeResult result = new PasswordChangeResult();
                    result.Violations = new ReadOnlyCollection<PasswordViolation>(new List<PasswordViolation>());
                    switch (status)
                    {
                        case shikaku_status.Ok:
                            result.Outcome = PasswordChangeOutcome.Changed;
                            return result;
                        case shikaku_status.PasswordPolicy:
                        case shikaku_status.InvalidCredentials:
                        case shikaku_status.Locked:
                            ErrorInfo info = ErrorInfo.Take(status, error);
                            result.Outcome = status == shikaku_status.PasswordPolicy ? PasswordChangeOutcome.Rejected
                                : status == shikaku_status.Locked ? PasswordChangeOutcome.Locked
                                : PasswordChangeOutcome.WrongCurrentPassword;
                            result.Violations = info.Violations;
                            result.LockedUntil = info.LockedUntil;
                            result.Message = info.Message;
                            return result;
                        default:
                            throw new ShikakuException(ErrorInfo.Take(status, error));
                    }
                }
            }
            finally
            {
                Utf8.Clear(current);
                Utf8.Clear(fresh);
                Utf8.Clear(again);
            }
        }

        // The receipt computer

        /// <summary>
        /// The one-call authentication a receipt computer uses once MFA is registered:
        /// password and passcode together, no session.
        /// </summary>
        public AuthenticationResult Authenticate(string institutionCode, string loginId,
            string password, string passcode)
        {
            byte[] ic = Utf8.Encode(Required(institutionCode, "institutionCode"));
            byte[] id = Utf8.Encode(Required(loginId, "loginId"));
            byte[] pw = Utf8.Encode(Required(password, "password"));
            byte[] code = Utf8.Encode(Required(passcode, "passcode"));
            try
            {
                using (Borrowed s = new Borrowed(_handle))
                {
                    shikaku_authentication who = new shikaku_authentication();
                    shikaku_error* error = null;
                    shikaku_status status;
                    fixed (byte* pic = ic, pid = id, ppw = pw, pcode = code)
                    {
                        status = NativeMethods.shikaku_authenticate(s.Pointer, pic, pid, ppw, pcode, &who, &error);
                    }
                    AuthenticationResult result = new AuthenticationResult();
                    switch (status)
                    {
                        case shikaku_status.Ok:
                            result.Outcome = AuthenticationOutcome.Verified;
                            result.InstitutionCode = Utf8.Field(who.account.institution_code, 33);
                            result.LoginId = Utf8.Field(who.account.login_id, 65);
                            result.AuthenticatedAt = Time.FromUnix(who.authenticated_at);
                            return result;
                        case shikaku_status.InvalidCredentials:
                        case shikaku_status.InvalidPasscode:
                        case shikaku_status.Locked:
                        case shikaku_status.EnrollmentRequired:
                        case shikaku_status.PasswordChangeRequired:
                        case shikaku_status.AccountDisabled:
                            ErrorInfo info = ErrorInfo.Take(status, error);
                            result.Outcome = AuthenticationOutcomeOf(status);
                            result.LockedUntil = info.LockedUntil;
                            result.Message = info.Message;
                            return result;
                        default:
                            throw new ShikakuException(ErrorInfo.Take(status, error));
                    }
                }
            }
            finally
            {
                Utf8.Clear(pw);
                Utf8.Clear(code);
            }
        }

        private static AuthenticationOutcome AuthenticationOutcomeOf(shikaku_status status)
        {
            switch (status)
            {
                case shikaku_status.InvalidCredentials: return AuthenticationOutcome.InvalidCredentials;
                case shikaku_status.InvalidPasscode: return AuthenticationOutcome.InvalidPasscode;
                case shikaku_status.Locked: return AuthenticationOutcome.Locked;
                case shikaku_status.EnrollmentRequired: return AuthenticationOutcome.EnrollmentRequired;
                case shikaku_status.PasswordChangeRequired: return AuthenticationOutcome.PasswordChangeRequired;
                default: return AuthenticationOutcome.Disabled;
            }
        }

        // Administration

        /// <summary>
        /// ユーザ設定情報の発行: creates an account and returns its initial password (generated
        /// when <paramref name="initialPassword"/> is null). A given password that breaks the
        /// rules throws with Status PasswordPolicy and the Violations.
        /// </summary>
        public string Provision(string institutionCode, string loginId, string initialPassword = null)
        {
            byte[] ic = Utf8.Encode(Required(institutionCode, "institutionCode"));
            byte[] id = Utf8.Encode(Required(loginId, "loginId"));
            byte[] pw = Utf8.Encode(initialPassword);
            try
            {
                using (Borrowed s = new Borrowed(_handle))
                {
                    byte* issued = null;
                    shikaku_error* error = null;
                    shikaku_status status;
                    fixed (byte* pic = ic, pid = id, ppw = pw)
                    {
                        status = NativeMethods.shikaku_provision(s.Pointer, pic, pid, ppw, &issued, &error);
                    }
                    ErrorInfo.Check(status, error);
                    return TakeString(issued);
                }
            }
            finally
            {
                Utf8.Clear(pw);
            }
        }

        /// <summary>Clears both lock counters of an account.</summary>
        public void Unlock(string institutionCode, string loginId)
        {
            AccountCall(institutionCode, loginId, delegate (shikaku_service* service, byte* ic, byte* id, shikaku_error** error)
            {
                return NativeMethods.shikaku_unlock(service, ic, id, error);
            });
        }

        /// <summary>Device lost: the next login registers an Authenticator again.</summary>
        public void ResetMfa(string institutionCode, string loginId)
        {
            AccountCall(institutionCode, loginId, delegate (shikaku_service* service, byte* ic, byte* id, shikaku_error** error)
            {
                return NativeMethods.shikaku_reset_mfa(service, ic, id, error);
            });
        }

        /// <summary>Disables (true) or enables an account.</summary>
        public void SetDisabled(string institutionCode, string loginId, bool disabled)
        {
            AccountCall(institutionCode, loginId, delegate (shikaku_service* service, byte* ic, byte* id, shikaku_error** error)
            {
                return NativeMethods.shikaku_set_disabled(service, ic, id, disabled, error);
            });
        }

        /// <summary>A new initial password; it must be changed after the next login.</summary>
        public string ResetPassword(string institutionCode, string loginId)
        {
            byte[] ic = Utf8.Encode(Required(institutionCode, "institutionCode"));
            byte[] id = Utf8.Encode(Required(loginId, "loginId"));
            using (Borrowed s = new Borrowed(_handle))
            {
                byte* issued = null;
                shikaku_error* error = null;
                shikaku_status status;
                fixed (byte* pic = ic, pid = id)
                {
                    status = NativeMethods.shikaku_reset_password(s.Pointer, pic, pid, &issued, &error);
                }
                ErrorInfo.Check(status, error);
                return TakeString(issued);
            }
        }

        /// <summary>Every account with its state now.</summary>
        public IList<AccountSummary> Accounts()
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_account_list list = new shikaku_account_list();
                shikaku_error* error = null;
                ErrorInfo.Check(NativeMethods.shikaku_accounts(s.Pointer, &list, &error), error);
                try
                {
                    List<AccountSummary> accounts = new List<AccountSummary>();
                    for (ulong i = 0; i < (ulong)list.len; i++)
                    {
                        shikaku_account* a = list.items + i;
                        AccountSummary summary = new AccountSummary();
                        summary.InstitutionCode = Utf8.Field(a->account.institution_code, 33);
                        summary.LoginId = Utf8.Field(a->account.login_id, 65);
                        summary.Enrolled = a->enrolled;
                        summary.Disabled = a->disabled;
                        summary.MustChangePassword = a->must_change_password;
                        summary.Drift = a->has_drift ? (long?)a->drift : null;
                        summary.PasswordLockedUntil = Time.FromUnixOrNull(a->password_locked_until);
                        summary.PasscodeLockedUntil = Time.FromUnixOrNull(a->passcode_locked_until);
                        summary.CreatedAt = Time.FromUnix(a->created_at);
                        accounts.Add(summary);
                    }
                    return new ReadOnlyCollection<AccountSummary>(accounts);
                }
                finally
                {
                    NativeMethods.shikaku_account_list_free(&list);
                }
            }
        }

        // The password rules alone

        /// <summary>The manual's password rules: every broken rule (empty when the password passes).</summary>
        public static IList<PasswordViolation> CheckPassword(string password)
        {
            return CheckPassword(null, password);
        }

        /// <summary>This service's configured password rules: every broken rule.</summary>
        public IList<PasswordViolation> CheckPasswordRules(string password)
        {
            using (Borrowed s = new Borrowed(_handle))
            {
                return CheckPassword(s.Pointer, password);
            }
        }

        private static IList<PasswordViolation> CheckPassword(shikaku_service* service, string password)
        {
            byte[] pw = Utf8.Encode(Required(password, "password"));
            try
            {
                shikaku_error* error = null;
                shikaku_status status;
                fixed (byte* ppw = pw)
                {
                    status = NativeMethods.shikaku_check_password(service, ppw, &error);
                }
                if (status == shikaku_status.Ok)
                {
                    return new ReadOnlyCollection<PasswordViolation>(new List<PasswordViolation>());
                }
                if (status == shikaku_status.PasswordPolicy)
                {
                    return ErrorInfo.Take(status, error).Violations;
                }
                throw new ShikakuException(ErrorInfo.Take(status, error));
            }
            finally
            {
                Utf8.Clear(pw);
            }
        }

        // Helpers

        private delegate shikaku_status AccountFunction(shikaku_service* service, byte* ic, byte* id, shikaku_error** error);

        private void AccountCall(string institutionCode, string loginId, AccountFunction function)
        {
            byte[] ic = Utf8.Encode(Required(institutionCode, "institutionCode"));
            byte[] id = Utf8.Encode(Required(loginId, "loginId"));
            using (Borrowed s = new Borrowed(_handle))
            {
                shikaku_error* error = null;
                shikaku_status status;
                fixed (byte* pic = ic, pid = id)
                {
                    status = function(s.Pointer, pic, pid, &error);
                }
                ErrorInfo.Check(status, error);
            }
        }

        private static string Required(string value, string name)
        {
            if (value == null) throw new ArgumentNullException(name);
            return value;
        }

        private static shikaku_token In(Token token, string name)
        {
            if (token == null) throw new ArgumentNullException(name);
            shikaku_token native = new shikaku_token();
            token.CopyTo(&native);
            return native;
        }

        private static void Wipe(shikaku_token* token)
        {
            for (int i = 0; i < 32; i++)
            {
                token->bytes[i] = 0;
            }
        }

        /// <summary>Copies and frees (zeroing) a string the library returned.</summary>
        private static string TakeString(byte* text)
        {
            try
            {
                return Utf8.Decode(text);
            }
            finally
            {
                NativeMethods.shikaku_string_free(text);
            }
        }
    }
}
