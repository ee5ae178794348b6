// The answers of the manual's steps as .NET types, and the values they carry.
using System;
using System.Collections.Generic;
using System.Text;

namespace Shikaku
{
    /// <summary>The C ABI's status codes (shikaku_status), with the same numbers.</summary>
    public enum ShikakuStatus : uint
    {
        Ok = 0,
        InvalidCredentials = 1,
        InvalidPasscode = 2,
        Locked = 3,
        AccountDisabled = 4,
        EnrollmentRequired = 5,
        AlreadyEnrolled = 6,
        PasswordChangeRequired = 7,
        PasswordPolicy = 8,
        LoginExpired = 9,
        SessionExpired = 10,
        SessionSuperseded = 11,
        SessionUnknown = 12,
        UnknownAccount = 13,
        AccountExists = 14,
        NullArgument = 20,
        InvalidUtf8 = 21,
        InvalidArgument = 22,
        MalformedInstitutionCode = 23,
        MalformedLoginId = 24,
        MalformedPasscode = 25,
        InvalidHandle = 26,
        Config = 30,
        OpenFailed = 31,
        Unsupported = 32,
        StoreUnavailable = 33,
        StoreCorrupt = 34,
        Internal = 40,
        Panic = 41,
    }

    /// <summary>The language of messages.</summary>
    public enum Language : uint
    {
        /// <summary>日本語 (the default).</summary>
        Japanese = 0,
        /// <summary>English.</summary>
        English = 1,
    }

    /// <summary>
    /// A login token or a session token: 32 bytes. A bearer credential: keep it in memory
    /// only and Dispose it (the bytes are zeroed) when done.
    /// </summary>
    public sealed class Token : IDisposable
    {
        private readonly byte[] _bytes;

        private Token(byte[] bytes)
        {
            _bytes = bytes;
        }

        /// <summary>A token from its 32 bytes (copied).</summary>
        public static Token FromBytes(byte[] bytes)
        {
            if (bytes == null || bytes.Length != 32)
            {
                throw new ArgumentException("A token is 32 bytes.", "bytes");
            }
            return new Token((byte[])bytes.Clone());
        }

        /// <summary>A token from the JSON API's text: 64 hex digits.</summary>
        public static Token FromHex(string hex)
        {
            if (hex == null || hex.Length != 64)
            {
                throw new FormatException("A token is 64 hexadecimal digits.");
            }
            byte[] bytes = new byte[32];
            for (int i = 0; i < 32; i++)
            {
                bytes[i] = (byte)(Digit(hex[2 * i]) * 16 + Digit(hex[2 * i + 1]));
            }
            return new Token(bytes);
        }

        private static int Digit(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            throw new FormatException("A token is 64 hexadecimal digits.");
        }

        internal static unsafe Token From(Native.shikaku_token* token)
        {
            byte[] bytes = new byte[32];
            for (int i = 0; i < 32; i++)
            {
                bytes[i] = token->bytes[i];
                token->bytes[i] = 0;
            }
            return new Token(bytes);
        }

        internal unsafe void CopyTo(Native.shikaku_token* token)
        {
            for (int i = 0; i < 32; i++)
            {
                token->bytes[i] = _bytes[i];
            }
        }

        /// <summary>A copy of the 32 bytes.</summary>
        public byte[] ToArray()
        {
            return (byte[])_bytes.Clone();
        }

        /// <summary>The JSON API's text form: 64 lowercase hex digits.</summary>
        public string ToHex()
        {
            StringBuilder text = new StringBuilder(64);
            foreach (byte b in _bytes)
            {
                text.Append(b.ToString("x2"));
            }
            return text.ToString();
        }

        /// <summary>Zeroes the bytes.</summary>
        public void Dispose()
        {
            Array.Clear(_bytes, 0, _bytes.Length);
        }

        /// <summary>Never shows the token.</summary>
        public override string ToString()
        {
            return "Token(***)";
        }
    }

    /// <summary>One broken password rule: a stable code and the message in both languages.</summary>
    public sealed class PasswordViolation
    {
        internal PasswordViolation(string code, string messageJa, string messageEn)
        {
            Code = code;
            MessageJa = messageJa;
            MessageEn = messageEn;
        }

        /// <summary>The stable code: too_short, missing_digit, reused_generation, …</summary>
        public string Code { get; private set; }

        /// <summary>The message for a Japanese-speaking user (may quote a refused character).</summary>
        public string MessageJa { get; private set; }

        /// <summary>The message for an English-speaking user.</summary>
        public string MessageEn { get; private set; }

        /// <summary>The message in <paramref name="language"/>.</summary>
        public string Message(Language language)
        {
            return language == Language.English ? MessageEn : MessageJa;
        }
    }

    /// <summary>What 《ログイン》 answered.</summary>
    public enum LoginOutcome
    {
        /// <summary>Right password, no Authenticator yet: [Authenticator 登録].</summary>
        NeedsEnrollment,
        /// <summary>Right password: ask for the 6-digit passcode.</summary>
        NeedsPasscode,
        /// <summary>3 consecutive failures: locked until <see cref="LoginResult.LockedUntil"/>.</summary>
        Locked,
        /// <summary>Wrong password or unknown account (the same answer for both).</summary>
        Invalid,
        /// <summary>Right password, but the account is disabled.</summary>
        Disabled,
    }

    /// <summary>The answer to a password login.</summary>
    public sealed class LoginResult
    {
        internal LoginResult(LoginOutcome outcome, Token token, DateTimeOffset? expiresAt,
            DateTimeOffset? lockedUntil, string message)
        {
            Outcome = outcome;
            Token = token;
            ExpiresAt = expiresAt;
            LockedUntil = lockedUntil;
            Message = message;
        }

        public LoginOutcome Outcome { get; private set; }

        /// <summary>The login token (NeedsEnrollment, NeedsPasscode), else null.</summary>
        public Token Token { get; private set; }

        /// <summary>When the login token stops working.</summary>
        public DateTimeOffset? ExpiresAt { get; private set; }

        /// <summary>When the lock lifts (Locked).</summary>
        public DateTimeOffset? LockedUntil { get; private set; }

        /// <summary>The message to show for Locked, Invalid and Disabled, in the service's language.</summary>
        public string Message { get; private set; }
    }

    /// <summary>Which print confirmation to show.</summary>
    public enum PrintPrompt
    {
        /// <summary>初回: 「印刷する」「印刷せずに確認へ進む」.</summary>
        FirstTime = 1,
        /// <summary>2 回目以降: 「確認へ進む」.</summary>
        Later = 2,
    }

    /// <summary>[Authenticator 登録]: the secret in its forms. Show it, never store or log it.</summary>
    public sealed class Enrollment
    {
        internal Enrollment() { }

        public string InstitutionCode { get; internal set; }
        public string LoginId { get; internal set; }
        public string Issuer { get; internal set; }

        /// <summary>セットアップキー as shown: groups of four.</summary>
        public string SetupKeyDisplay { get; internal set; }

        /// <summary>セットアップキー as 《テキストでコピー》 copies it: no spaces.</summary>
        public string SetupKeyCopy { get; internal set; }

        /// <summary>The otpauth:// URI the QR code holds.</summary>
        public string OtpauthUri { get; internal set; }

        /// <summary>The QR code as an SVG document.</summary>
        public string QrSvg { get; internal set; }
    }

    /// <summary>What 《パスコードを送信》 answered.</summary>
    public enum PasscodeOutcome
    {
        /// <summary>Logged in: <see cref="PasscodeResult.Session"/>.</summary>
        Session,
        /// <summary>Wrong or replayed passcode; the login stands, ask again.</summary>
        Invalid,
        /// <summary>3 consecutive wrong passcodes; the login is gone.</summary>
        Locked,
    }

    /// <summary>The answer to a passcode.</summary>
    public sealed class PasscodeResult
    {
        internal PasscodeResult() { }

        public PasscodeOutcome Outcome { get; internal set; }

        /// <summary>The session token (Session).</summary>
        public Token Session { get; internal set; }

        /// <summary>When the session ends unless used (Session).</summary>
        public DateTimeOffset? ExpiresAt { get; internal set; }

        /// <summary>This passcode completed the registration (MFA 登録完了).</summary>
        public bool Enrolled { get; internal set; }

        /// <summary>An administrator reset the password: [パスワード変更] first.</summary>
        public bool MustChangePassword { get; internal set; }

        /// <summary>When the lock lifts (Locked).</summary>
        public DateTimeOffset? LockedUntil { get; internal set; }

        /// <summary>The message for Invalid and Locked.</summary>
        public string Message { get; internal set; }
    }

    /// <summary>An active session.</summary>
    public sealed class SessionInfo
    {
        internal SessionInfo() { }

        public string InstitutionCode { get; internal set; }
        public string LoginId { get; internal set; }

        /// <summary>When it ends unless used again.</summary>
        public DateTimeOffset ExpiresAt { get; internal set; }

        public bool MustChangePassword { get; internal set; }
    }

    /// <summary>What 《変更》 on [パスワード変更] answered.</summary>
    public enum PasswordChangeOutcome
    {
        Changed,
        /// <summary>The new password breaks <see cref="PasswordChangeResult.Violations"/>.</summary>
        Rejected,
        /// <summary>The current password is wrong (counts toward the lock).</summary>
        WrongCurrentPassword,
        /// <summary>The password lock is in force.</summary>
        Locked,
    }

    /// <summary>The answer to a password change.</summary>
    public sealed class PasswordChangeResult
    {
        internal PasswordChangeResult() { }

        public PasswordChangeOutcome Outcome { get; internal set; }

        /// <summary>Every broken rule (Rejected); empty otherwise.</summary>
        public IList<PasswordViolation> Violations { get; internal set; }

        public DateTimeOffset? LockedUntil { get; internal set; }

        public string Message { get; internal set; }
    }

    /// <summary>What the one-call authentication answered.</summary>
    public enum AuthenticationOutcome
    {
        Verified,
        InvalidCredentials,
        InvalidPasscode,
        Locked,
        /// <summary>No Authenticator yet: register on the login screens first.</summary>
        EnrollmentRequired,
        PasswordChangeRequired,
        Disabled,
    }

    /// <summary>The answer to a one-call authentication.</summary>
    public sealed class AuthenticationResult
    {
        internal AuthenticationResult() { }

        public AuthenticationOutcome Outcome { get; internal set; }
        public string InstitutionCode { get; internal set; }
        public string LoginId { get; internal set; }
        public DateTimeOffset? AuthenticatedAt { get; internal set; }
        public DateTimeOffset? LockedUntil { get; internal set; }
        public string Message { get; internal set; }
    }

    /// <summary>One account, as `shikaku user list` shows it.</summary>
    public sealed class AccountSummary
    {
        internal AccountSummary() { }

        public string InstitutionCode { get; internal set; }
        public string LoginId { get; internal set; }
        public bool Enrolled { get; internal set; }
        public bool Disabled { get; internal set; }
        public bool MustChangePassword { get; internal set; }

        /// <summary>Clock drift of the newest accepted passcode, in 30-second steps.</summary>
        public long? Drift { get; internal set; }

        public DateTimeOffset? PasswordLockedUntil { get; internal set; }
        public DateTimeOffset? PasscodeLockedUntil { get; internal set; }
        public DateTimeOffset CreatedAt { get; internal set; }
    }
}
