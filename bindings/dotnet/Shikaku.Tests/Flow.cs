// The manual's flows through the .NET wrapper, as a receipt computer written in C# calls
// them — the same flow as crates/ffi/tests/c/flow.c: a first registration with a passcode
// from oathtool, a second login, a password change refused then accepted, a wrong-password
// lock and its unlock, the one-call authentication, the account list, and the errors.
//
//   mono Flow.exe <directory>
//
// Built with Mono's mcs and run by crates/ffi/tests/dotnet.rs, which checks the output.
// Exits 0 and prints "ALL OK" when every step answered as the manual says.
using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using Shikaku;

namespace Shikaku.Tests
{
    internal static class Flow
    {
        private const string Code = "0123456789";
        private const string Id = "staff01";

        private static int Main(string[] args)
        {
            Console.OutputEncoding = new UTF8Encoding(false);
            if (args.Length < 1)
            {
                Console.Error.WriteLine("usage: mono Flow.exe <directory>");
                return 2;
            }
            try
            {
                Run(args[0]);
                Console.WriteLine("ALL OK");
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("FAIL: " + e);
                return 1;
            }
        }

        private static void Require(bool condition, string what)
        {
            if (!condition) throw new Exception("expected: " + what);
        }

        private static void Say(string line)
        {
            Console.WriteLine(line);
        }

        // A code is made here and verified a moment later: keep both inside one 30-second step.
        private static void AwayFromStepBoundary()
        {
            long into = DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 30;
            if (into >= 22) Thread.Sleep(TimeSpan.FromSeconds(31 - into));
        }

        // The passcode an Authenticator shows `offset` seconds from now, from oathtool.
        private static string Passcode(string setupKey, long offset)
        {
            long at = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + offset;
            ProcessStartInfo start = new ProcessStartInfo("oathtool", "--totp -b -N @" + at + " " + setupKey);
            start.UseShellExecute = false;
            start.RedirectStandardOutput = true;
            using (Process oathtool = Process.Start(start))
            {
                string code = oathtool.StandardOutput.ReadToEnd().Trim();
                oathtool.WaitForExit();
                Require(oathtool.ExitCode == 0 && code.Length == 6, "oathtool prints a 6-digit passcode");
                return code;
            }
        }

        private static void Run(string directory)
        {
            string config = Path.Combine(directory, "shikaku.toml");
            // Cheap argon2 for the test; everything else is the manual.
            File.WriteAllText(config, "[argon2]\nm_cost_kib = 64\nt_cost = 1\nworkers = 1\n[server]\nhashing_threads = 2\n");

            // Every status the wrapper knows has the native name.
            foreach (ShikakuStatus status in Enum.GetValues(typeof(ShikakuStatus)))
            {
                string snake = Snake(status.ToString());
                Require(ShikakuService.StatusName(status) == snake, "the native name of " + status);
            }
            Say("status names: " + Enum.GetValues(typeof(ShikakuStatus)).Length + " match the native library");

            using (ShikakuService shikaku = ShikakuService.OpenConfig(config, Language.Japanese))
            {
                Say("open: ok (shikaku " + ShikakuService.Version + ")");
                string initial = shikaku.Provision(Code, Id);
                Require(ShikakuService.CheckPassword(initial).Count == 0, "the initial password meets the rules");
                Say("provision: " + Code + "/" + Id + ", initial password of " + initial.Length + " characters");

                // [ログイン] → [Authenticator 登録].
                LoginResult first = shikaku.PasswordLogin(Code, Id, initial);
                Require(first.Outcome == LoginOutcome.NeedsEnrollment, "the first login registers");
                string hex = first.Token.ToHex();
                using (Token again = Token.FromHex(hex))
                {
                    Require(again.ToHex() == hex, "hex round trip");
                }
                Say("login 1: " + first.Outcome + ", login token " + hex.Substring(0, 8) + "… (64 hex digits)");
                Require(shikaku.LoginStage(first.Token) == LoginOutcome.NeedsEnrollment, "stage");

                Enrollment view = shikaku.GetEnrollment(first.Token);
                Require(view.OtpauthUri.StartsWith("otpauth://totp/"), "an otpauth URI");
                Require(view.QrSvg.Contains("<svg"), "an SVG QR code");
                Require(view.SetupKeyDisplay.Replace(" ", "") == view.SetupKeyCopy, "both forms are one key");
                Say("enrollment: issuer " + view.Issuer + ", login ID " + view.LoginId + ", setup key of "
                    + view.SetupKeyCopy.Length + " characters (" + view.SetupKeyDisplay.Length
                    + " shown in groups), otpauth URI, QR SVG of " + Encoding.UTF8.GetByteCount(view.QrSvg) + " bytes");
                string setupKey = view.SetupKeyCopy;

                byte[] png = shikaku.GetEnrollmentPng(first.Token);
                Require(png.Length > 8 && png[0] == 0x89 && png[1] == (byte)'P', "a PNG image");
                Say("png: " + png.Length + " bytes");
                string sheet = shikaku.GetEnrollmentSheetHtml(first.Token);
                Require(sheet.Contains("<html"), "an HTML sheet");
                Say("print sheet: " + Encoding.UTF8.GetByteCount(sheet) + " bytes of HTML");

                Require(shikaku.ProceedToConfirmation(first.Token) == PrintPrompt.FirstTime, "first time");
                Require(shikaku.ProceedToConfirmation(first.Token) == PrintPrompt.Later, "later");
                Say("confirmation: FirstTime, then Later");

                // 《パスコードを送信》: a malformed code is an exception, not an attempt.
                try
                {
                    shikaku.SubmitPasscode(first.Token, "12ab");
                    Require(false, "a malformed passcode is refused");
                }
                catch (ShikakuException e)
                {
                    Require(e.Status == ShikakuStatus.MalformedPasscode, "malformed_passcode");
                    Say("passcode 12ab: " + e.Code + " — " + e.Message);
                }
                AwayFromStepBoundary();
                PasscodeResult registered = shikaku.SubmitPasscode(first.Token, Passcode(setupKey, -30));
                Require(registered.Outcome == PasscodeOutcome.Session && registered.Enrolled, "registered");
                first.Token.Dispose();
                Say("passcode 1: " + registered.Outcome + ", enrolled=" + registered.Enrolled);

                SessionInfo info = shikaku.CheckSession(registered.Session);
                Require(info.LoginId == Id, "the session is staff01's");
                Say("session: " + info.InstitutionCode + "/" + info.LoginId + ", must change password=" + info.MustChangePassword);
                Require(shikaku.Logout(registered.Session), "the session was active");
                try
                {
                    shikaku.CheckSession(registered.Session);
                    Require(false, "a logged-out session ends");
                }
                catch (ShikakuException e)
                {
                    Require(e.Status == ShikakuStatus.SessionUnknown, "session_unknown");
                    Say("session after logout: " + e.Code + " — " + e.Message);
                }
                registered.Session.Dispose();

                // A second login: the passcode screen; a wrong code, then the right one.
                LoginResult second = shikaku.PasswordLogin(Code, Id, initial);
                Require(second.Outcome == LoginOutcome.NeedsPasscode, "registered: the passcode screen");
                Say("login 2: " + second.Outcome);
                AwayFromStepBoundary();
                PasscodeResult wrong = shikaku.SubmitPasscode(second.Token, Passcode(setupKey, 90));
                Require(wrong.Outcome == PasscodeOutcome.Invalid, "three steps ahead is outside the window");
                Say("passcode (wrong): " + wrong.Outcome + " — " + wrong.Message);
                AwayFromStepBoundary();
                PasscodeResult session = shikaku.SubmitPasscode(second.Token, Passcode(setupKey, 0));
                Require(session.Outcome == PasscodeOutcome.Session && !session.Enrolled, "logged in");
                Say("passcode 2: " + session.Outcome + ", enrolled=" + session.Enrolled);

                // [パスワード変更]: refused with every broken rule, then accepted.
                PasswordChangeResult refused = shikaku.ChangePassword(session.Session, initial, "abc", "abc");
                Require(refused.Outcome == PasswordChangeOutcome.Rejected && refused.Violations.Count >= 3, "refused");
                Say("password change (abc): " + refused.Outcome + ", " + refused.Violations.Count + " broken rules");
                foreach (PasswordViolation v in refused.Violations)
                {
                    Say("  " + v.Code + ": " + v.MessageJa + " / " + v.MessageEn);
                }
                const string Changed = "Changed#Pw2";
                PasswordChangeResult changed = shikaku.ChangePassword(session.Session, initial, Changed, Changed);
                Require(changed.Outcome == PasswordChangeOutcome.Changed, "changed");
                Say("password change: " + changed.Outcome);
                session.Session.Dispose();

                // 3 wrong passwords lock for 30 minutes; the right one is refused until unlocked.
                for (int i = 1; i <= 2; i++)
                {
                    LoginResult bad = shikaku.PasswordLogin(Code, Id, "Wrong#Pass1");
                    Require(bad.Outcome == LoginOutcome.Invalid, "invalid");
                    Say("wrong password " + i + ": " + bad.Outcome + " — " + bad.Message);
                }
                LoginResult locked = shikaku.PasswordLogin(Code, Id, "Wrong#Pass1");
                Require(locked.Outcome == LoginOutcome.Locked && locked.LockedUntil.HasValue, "locked");
                double left = (locked.LockedUntil.Value - DateTimeOffset.UtcNow).TotalSeconds;
                Require(left > 1790 && left <= 1801, "locked for 30 minutes");
                Say("wrong password 3: " + locked.Outcome + " until " + locked.LockedUntil.Value.ToString("yyyy-MM-ddTHH:mm:ssZ") + " — " + locked.Message);
                Require(shikaku.PasswordLogin(Code, Id, Changed).Outcome == LoginOutcome.Locked, "still locked");
                Say("right password while locked: Locked");

                shikaku.SetLanguage(Language.English);
                AuthenticationResult whileLocked = shikaku.Authenticate(Code, Id, Changed, "123456");
                Require(whileLocked.Outcome == AuthenticationOutcome.Locked, "locked");
                Say("authenticate while locked: " + whileLocked.Outcome + " — " + whileLocked.Message);
                shikaku.Unlock(Code, Id);
                Say("unlock: ok");

                // The receipt computer's one-call authentication.
                AwayFromStepBoundary();
                string code = Passcode(setupKey, 30);
                AuthenticationResult verified = shikaku.Authenticate(Code, Id, Changed, code);
                Require(verified.Outcome == AuthenticationOutcome.Verified, "verified");
                Say("authenticate: " + verified.InstitutionCode + "/" + verified.LoginId + " " + verified.Outcome);
                AuthenticationResult replayed = shikaku.Authenticate(Code, Id, Changed, code);
                Require(replayed.Outcome == AuthenticationOutcome.InvalidPasscode, "a code is accepted once");
                Say("authenticate (replayed code): " + replayed.Outcome + " — " + replayed.Message);

                foreach (AccountSummary account in shikaku.Accounts())
                {
                    Say("accounts: " + account.InstitutionCode + "/" + account.LoginId + " enrolled=" + account.Enrolled
                        + " disabled=" + account.Disabled + " drift=" + account.Drift
                        + " password locked=" + account.PasswordLockedUntil.HasValue);
                }

                // Administration.
                shikaku.SetDisabled(Code, Id, true);
                Require(shikaku.PasswordLogin(Code, Id, Changed).Outcome == LoginOutcome.Disabled, "disabled");
                shikaku.SetDisabled(Code, Id, false);
                string reset = shikaku.ResetPassword(Code, Id);
                LoginResult afterReset = shikaku.PasswordLogin(Code, Id, reset);
                Require(afterReset.Outcome == LoginOutcome.NeedsPasscode, "the new initial password works");
                shikaku.ResetMfa(Code, Id);
                Require(shikaku.PasswordLogin(Code, Id, reset).Outcome == LoginOutcome.NeedsEnrollment, "registers again");
                Say("administration: disable, enable, reset password, reset MFA: ok");

                // Errors a caller can meet.
                try
                {
                    shikaku.Provision(Code, Id);
                    Require(false, "a second account of the same name is refused");
                }
                catch (ShikakuException e)
                {
                    Say("provision again: " + e.Code + " — " + e.MessageEn);
                }
                try
                {
                    shikaku.PasswordLogin("12", Id, Changed);
                    Require(false, "a short institution code is refused");
                }
                catch (ShikakuException e)
                {
                    Say("short institution code: " + e.Code + " — " + e.Message + " / " + e.MessageJa);
                }
                int broken = ShikakuService.CheckPassword("password").Count;
                Say("the rules alone: " + broken + " broken rules for \"password\"");
            }

            try
            {
                ShikakuService.OpenDatabase("postgres://db/shikaku", Language.English);
                Require(false, "PostgreSQL is not supported yet");
            }
            catch (ShikakuException e)
            {
                Say("open postgres://: " + e.Code + " — " + e.Message);
            }
        }

        private static string Snake(string name)
        {
            StringBuilder snake = new StringBuilder();
            for (int i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0) snake.Append('_');
                snake.Append(char.ToLowerInvariant(name[i]));
            }
            return snake.ToString();
        }
    }
}
