// Errors: what the C ABI's error object says, as an exception or as the details of an answer.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Shikaku.Native;

namespace Shikaku
{
    /// <summary>
    /// A call failed for a reason that is not an answer of the manual: an ended login or
    /// session, a malformed identifier or passcode, a database or configuration problem, a
    /// misuse of the API. <see cref="Exception.Message"/> is in the service's language.
    /// </summary>
    public class ShikakuException : Exception
    {
        internal ShikakuException(ErrorInfo info) : base(info.Message)
        {
            Status = info.Status;
            Code = info.Code;
            MessageJa = info.MessageJa;
            MessageEn = info.MessageEn;
            LockedUntil = info.LockedUntil;
            Violations = info.Violations;
        }

        /// <summary>The status code.</summary>
        public ShikakuStatus Status { get; private set; }

        /// <summary>The status's stable snake_case name (session_expired, config, …).</summary>
        public string Code { get; private set; }

        /// <summary>The message in Japanese.</summary>
        public string MessageJa { get; private set; }

        /// <summary>The message in English.</summary>
        public string MessageEn { get; private set; }

        /// <summary>When a lock lifts (Locked), else null.</summary>
        public DateTimeOffset? LockedUntil { get; private set; }

        /// <summary>The broken password rules (PasswordPolicy), else empty.</summary>
        public IList<PasswordViolation> Violations { get; private set; }
    }

    /// <summary>The contents of a <c>shikaku_error</c>, copied out before it is freed.</summary>
    internal sealed class ErrorInfo
    {
        internal ShikakuStatus Status;
        internal string Code;
        internal string Message;
        internal string MessageJa;
        internal string MessageEn;
        internal DateTimeOffset? LockedUntil;
        internal IList<PasswordViolation> Violations;

        /// <summary>Copies and frees the error object of a failed call.</summary>
        internal static unsafe ErrorInfo Take(shikaku_status status, shikaku_error* error)
        {
            ErrorInfo info = new ErrorInfo();
            info.Status = (ShikakuStatus)status;
            List<PasswordViolation> violations = new List<PasswordViolation>();
            try
            {
                info.Code = Utf8.Decode(NativeMethods.shikaku_status_name((uint)status));
                if (error == null)
                {
                    info.Message = info.MessageJa = info.MessageEn = info.Code;
                }
                else
                {
                    info.Message = Utf8.Decode(NativeMethods.shikaku_error_message(error));
                    info.MessageJa = Utf8.Decode(NativeMethods.shikaku_error_message_in(error, (uint)Language.Japanese));
                    info.MessageEn = Utf8.Decode(NativeMethods.shikaku_error_message_in(error, (uint)Language.English));
                    info.LockedUntil = Time.FromUnixOrNull(NativeMethods.shikaku_error_locked_until(error));
                    ulong count = (ulong)NativeMethods.shikaku_error_violation_count(error);
                    for (ulong i = 0; i < count; i++)
                    {
                        UIntPtr index = new UIntPtr(i);
                        violations.Add(new PasswordViolation(
                            Utf8.Decode(NativeMethods.shikaku_error_violation_code(error, index)),
                            Utf8.Decode(NativeMethods.shikaku_error_violation_message(error, index, (uint)Language.Japanese)),
                            Utf8.Decode(NativeMethods.shikaku_error_violation_message(error, index, (uint)Language.English))));
                    }
                }
            }
            finally
            {
                NativeMethods.shikaku_error_free(error);
            }
            info.Violations = new ReadOnlyCollection<PasswordViolation>(violations);
            return info;
        }

        /// <summary>Nothing to do for Ok; otherwise the failure as an exception.</summary>
        internal static unsafe void Check(shikaku_status status, shikaku_error* error)
        {
            if (status != shikaku_status.Ok)
            {
                throw new ShikakuException(Take(status, error));
            }
        }
    }

    internal static class Time
    {
        internal static DateTimeOffset FromUnix(long seconds)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        internal static DateTimeOffset? FromUnixOrNull(long seconds)
        {
            return seconds == 0 ? (DateTimeOffset?)null : FromUnix(seconds);
        }
    }
}
