/*
 * The manual's flows through the C ABI, as a receipt computer written in C calls them:
 * a first registration with a passcode from oathtool, a second login, a password change
 * refused then accepted, a wrong-password lock and its unlock, the one-call
 * authentication, the account list, and the error paths a C caller can hit.
 *
 *   flow <directory>          the whole flow; creates <directory>/shikaku.toml and a database
 *   flow <directory> smoke    open, provision, log in, close (the static-library link check)
 *
 * Built and run by crates/ffi/tests/c.rs (under valgrind), which checks the output.
 * Exits 0 and prints "ALL OK" when every step answered as the manual says.
 */
#define _POSIX_C_SOURCE 200809L /* popen, pclose, sleep */

#include "shikaku.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const CODE = "0123456789";
static const char *const ID = "staff01";

static shikaku_service *service;

/* Fails the program: prints the step, the status and the error's messages. */
static void fail(const char *step, shikaku_status got, shikaku_status want, shikaku_error *error) {
    fprintf(stderr, "FAIL %s: got %s, want %s\n", step, shikaku_status_name(got),
            shikaku_status_name(want));
    if (error != NULL) {
        fprintf(stderr, "  ja: %s\n  en: %s\n", shikaku_error_message_in(error, SHIKAKU_LANG_JA),
                shikaku_error_message_in(error, SHIKAKU_LANG_EN));
        shikaku_error_free(error);
    }
    exit(1);
}

/* Checks a status; frees the error object either way. */
static void expect(const char *step, shikaku_status got, shikaku_status want, shikaku_error *error) {
    if (got != want) {
        fail(step, got, want, error);
    }
    if (want != SHIKAKU_STATUS_OK) {
        if (error == NULL || shikaku_error_status(error) != want) {
            fprintf(stderr, "FAIL %s: no error object with the status\n", step);
            exit(1);
        }
        printf("%s: %s — %s\n", step, shikaku_error_name(error), shikaku_error_message(error));
    } else if (error != NULL) {
        fprintf(stderr, "FAIL %s: an error object on success\n", step);
        exit(1);
    }
    shikaku_error_free(error);
}

static void require(int condition, const char *what) {
    if (!condition) {
        fprintf(stderr, "FAIL: %s\n", what);
        exit(1);
    }
}

/* A code is made here and verified a moment later: keep both inside one 30-second step. */
static void away_from_step_boundary(void) {
    long into = (long)(time(NULL) % 30);
    if (into >= 22) {
        sleep((unsigned)(31 - into));
    }
}

/* The passcode an Authenticator shows `offset` seconds from now, from oathtool. */
static void passcode(const char *setup_key, long offset, char out[7]) {
    char command[256];
    long at = (long)time(NULL) + offset;
    int n = snprintf(command, sizeof command, "oathtool --totp -b -N @%ld %s", at, setup_key);
    require(n > 0 && (size_t)n < sizeof command, "oathtool command fits");
    FILE *pipe = popen(command, "r");
    require(pipe != NULL, "oathtool runs");
    char line[32] = {0};
    require(fgets(line, sizeof line, pipe) != NULL, "oathtool prints a passcode");
    require(pclose(pipe) == 0, "oathtool succeeds (is it installed?)");
    line[strcspn(line, "\r\n")] = '\0';
    require(strlen(line) == 6, "a 6-digit passcode");
    memcpy(out, line, 7);
}

static shikaku_login login(const char *password, shikaku_status want, const char *step) {
    shikaku_login out;
    shikaku_error *error = NULL;
    shikaku_status st = shikaku_password_login(service, CODE, ID, password, &out, &error);
    expect(step, st, want, error);
    return out;
}

static void open_service(const char *dir) {
    char config[1024];
    int n = snprintf(config, sizeof config, "%s/shikaku.toml", dir);
    require(n > 0 && (size_t)n < sizeof config, "path fits");
    FILE *file = fopen(config, "w");
    require(file != NULL, "config file can be written");
    /* Cheap argon2 so the run under valgrind stays short; everything else is the manual. */
    fputs("[argon2]\nm_cost_kib = 64\nt_cost = 1\nworkers = 1\n"
          "[server]\nhashing_threads = 2\n",
          file);
    fclose(file);
    shikaku_error *error = NULL;
    expect("open", shikaku_open_config(config, SHIKAKU_LANG_JA, &service, &error),
           SHIKAKU_STATUS_OK, error);
    require(service != NULL, "a service handle");
    printf("open: ok (shikaku %s)\n", shikaku_version());
}

static char *provision(void) {
    char *initial = NULL;
    shikaku_error *error = NULL;
    expect("provision", shikaku_provision(service, CODE, ID, NULL, &initial, &error),
           SHIKAKU_STATUS_OK, error);
    require(initial != NULL && strlen(initial) >= 8, "an initial password");
    error = NULL;
    expect("initial password meets the rules", shikaku_check_password(service, initial, &error),
           SHIKAKU_STATUS_OK, error);
    printf("provision: %s/%s, initial password of %zu characters\n", CODE, ID, strlen(initial));
    return initial;
}

static int smoke(const char *dir) {
    open_service(dir);
    char *initial = provision();
    shikaku_login first = login(initial, SHIKAKU_STATUS_OK, "login");
    require(first.next == SHIKAKU_NEXT_ENROLL, "enrollment comes first");
    shikaku_token_clear(&first.token);
    shikaku_string_free(initial);
    shikaku_close(service);
    printf("ALL OK\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: flow <directory> [smoke]\n");
        return 2;
    }
    if (argc > 2 && strcmp(argv[2], "smoke") == 0) {
        return smoke(argv[1]);
    }
    shikaku_error *error = NULL;
    shikaku_status st;

    open_service(argv[1]);
    char *initial = provision();

    /* [ログイン] → [Authenticator 登録]. */
    shikaku_login first = login(initial, SHIKAKU_STATUS_OK, "login 1");
    require(first.next == SHIKAKU_NEXT_ENROLL, "the first login registers an Authenticator");
    char hex[65];
    expect("token as hex", shikaku_token_to_hex(&first.token, hex, sizeof hex, NULL),
           SHIKAKU_STATUS_OK, NULL);
    shikaku_token parsed;
    expect("token from hex", shikaku_token_from_hex(hex, &parsed, NULL), SHIKAKU_STATUS_OK, NULL);
    require(memcmp(parsed.bytes, first.token.bytes, 32) == 0, "hex round trip");
    shikaku_token_clear(&parsed);
    printf("login 1: next=enroll, login token %.8s… (64 hex digits)\n", hex);
    memset(hex, 0, sizeof hex);

    shikaku_enrollment *view = NULL;
    expect("enrollment", shikaku_enrollment_view(service, &first.token, &view, &error),
           SHIKAKU_STATUS_OK, error);
    error = NULL;
    char setup_key[129];
    const char *copy = shikaku_enrollment_setup_key_copy(view);
    require(copy != NULL && strlen(copy) < sizeof setup_key, "a setup key");
    strcpy(setup_key, copy);
    const char *display = shikaku_enrollment_setup_key_display(view);
    const char *uri = shikaku_enrollment_otpauth_uri(view);
    const char *svg = shikaku_enrollment_qr_svg(view);
    require(strncmp(uri, "otpauth://totp/", 15) == 0, "an otpauth URI");
    require(strstr(svg, "<svg") != NULL, "an SVG QR code");
    require(strchr(display, ' ') != NULL, "the display form is grouped");
    printf("enrollment: issuer %s, login ID %s, setup key of %zu characters (%zu shown in "
           "groups), otpauth URI, QR SVG of %zu bytes\n",
           shikaku_enrollment_issuer(view), shikaku_enrollment_login_id(view), strlen(copy),
           strlen(display), strlen(svg));
    shikaku_enrollment_free(view);

    shikaku_bytes png = {NULL, 0};
    expect("png", shikaku_enrollment_png(service, &first.token, &png, &error), SHIKAKU_STATUS_OK,
           error);
    error = NULL;
    require(png.len > 8 && memcmp(png.data, "\x89PNG\r\n\x1a\n", 8) == 0, "a PNG image");
    printf("png: %zu bytes\n", png.len);
    shikaku_bytes_free(&png);
    require(png.data == NULL && png.len == 0, "freed buffer is cleared");

    char *sheet = NULL;
    expect("sheet", shikaku_enrollment_sheet_html(service, &first.token, &sheet, &error),
           SHIKAKU_STATUS_OK, error);
    error = NULL;
    require(strstr(sheet, "<html") != NULL, "an HTML sheet");
    printf("print sheet: %zu bytes of HTML\n", strlen(sheet));
    shikaku_string_free(sheet);

    shikaku_print_prompt prompt;
    expect("confirmation 1", shikaku_proceed_to_confirmation(service, &first.token, &prompt, NULL),
           SHIKAKU_STATUS_OK, NULL);
    require(prompt == SHIKAKU_PRINT_PROMPT_FIRST_TIME, "first time: print or not");
    expect("confirmation 2", shikaku_proceed_to_confirmation(service, &first.token, &prompt, NULL),
           SHIKAKU_STATUS_OK, NULL);
    require(prompt == SHIKAKU_PRINT_PROMPT_LATER, "later: proceed");
    printf("confirmation: first_time, then later\n");

    /* 《パスコードを送信》: a malformed code is not an attempt; then oathtool's code. */
    shikaku_session_grant grant;
    st = shikaku_submit_passcode(service, &first.token, "12ab", &grant, &error);
    expect("passcode 12ab", st, SHIKAKU_STATUS_MALFORMED_PASSCODE, error);
    error = NULL;
    char code[7];
    away_from_step_boundary();
    passcode(setup_key, -30, code);
    expect("passcode 1", shikaku_submit_passcode(service, &first.token, code, &grant, &error),
           SHIKAKU_STATUS_OK, error);
    error = NULL;
    require(grant.enrolled, "the passcode completed the registration (MFA 登録完了)");
    shikaku_token_clear(&first.token);
    printf("passcode 1: session, enrolled=%d\n", (int)grant.enrolled);

    shikaku_session_info info;
    expect("session", shikaku_session_check(service, &grant.token, &info, &error),
           SHIKAKU_STATUS_OK, error);
    error = NULL;
    require(strcmp(info.account.login_id, ID) == 0, "the session is staff01's");
    printf("session: %s/%s, must change password=%d\n", info.account.institution_code,
           info.account.login_id, (int)info.must_change_password);

    bool was_active = false;
    expect("logout", shikaku_logout(service, &grant.token, &was_active, NULL), SHIKAKU_STATUS_OK,
           NULL);
    require(was_active, "the session was active");
    st = shikaku_session_check(service, &grant.token, NULL, &error);
    expect("session after logout", st, SHIKAKU_STATUS_SESSION_UNKNOWN, error);
    error = NULL;
    shikaku_token_clear(&grant.token);

    /* A second login: the passcode screen; a wrong code, then the right one. */
    shikaku_login second = login(initial, SHIKAKU_STATUS_OK, "login 2");
    require(second.next == SHIKAKU_NEXT_PASSCODE, "registered: the passcode screen");
    printf("login 2: next=passcode\n");
    away_from_step_boundary();
    passcode(setup_key, 90, code); /* three steps ahead: outside the ±1 window */
    st = shikaku_submit_passcode(service, &second.token, code, &grant, &error);
    expect("passcode (wrong)", st, SHIKAKU_STATUS_INVALID_PASSCODE, error);
    error = NULL;
    away_from_step_boundary();
    passcode(setup_key, 0, code);
    expect("passcode 2", shikaku_submit_passcode(service, &second.token, code, &grant, &error),
           SHIKAKU_STATUS_OK, error);
    error = NULL;
    require(!grant.enrolled, "already registered");
    shikaku_token_clear(&second.token);
    printf("passcode 2: session, enrolled=%d\n", (int)grant.enrolled);

    /* [パスワード変更]: refused with every broken rule, then accepted. */
    st = shikaku_change_password(service, &grant.token, initial, "abc", "abc", &error);
    if (st != SHIKAKU_STATUS_PASSWORD_POLICY) {
        fail("password change (abc)", st, SHIKAKU_STATUS_PASSWORD_POLICY, error);
    }
    size_t rules = shikaku_error_violation_count(error);
    require(rules >= 3, "several broken rules");
    printf("password change (abc): %s, %zu broken rules\n", shikaku_error_name(error), rules);
    for (size_t i = 0; i < rules; i++) {
        printf("  %s: %s / %s\n", shikaku_error_violation_code(error, i),
               shikaku_error_violation_message(error, i, SHIKAKU_LANG_JA),
               shikaku_error_violation_message(error, i, SHIKAKU_LANG_EN));
    }
    require(shikaku_error_violation_code(error, rules) == NULL, "index past the end is NULL");
    shikaku_error_free(error);
    error = NULL;
    const char *changed = "Changed#Pw2";
    st = shikaku_change_password(service, &grant.token, initial, changed, changed, &error);
    expect("password change", st, SHIKAKU_STATUS_OK, error);
    error = NULL;
    printf("password change: ok\n");
    shikaku_token_clear(&grant.token);

    /* 3 wrong passwords lock for 30 minutes; the right one is refused until unlocked. */
    login("Wrong#Pass1", SHIKAKU_STATUS_INVALID_CREDENTIALS, "wrong password 1");
    login("Wrong#Pass1", SHIKAKU_STATUS_INVALID_CREDENTIALS, "wrong password 2");
    shikaku_login out;
    st = shikaku_password_login(service, CODE, ID, "Wrong#Pass1", &out, &error);
    if (st != SHIKAKU_STATUS_LOCKED) {
        fail("wrong password 3", st, SHIKAKU_STATUS_LOCKED, error);
    }
    int64_t until = shikaku_error_locked_until(error);
    long long left = (long long)(until - (int64_t)time(NULL));
    require(left > 1790 && left <= 1801, "locked for 30 minutes");
    printf("wrong password 3: locked for %lld s\n  ja: %s\n  en: %s\n", left,
           shikaku_error_message_in(error, SHIKAKU_LANG_JA),
           shikaku_error_message_in(error, SHIKAKU_LANG_EN));
    shikaku_error_free(error);
    error = NULL;
    login(changed, SHIKAKU_STATUS_LOCKED, "right password while locked");

    expect("set language", shikaku_set_language(service, SHIKAKU_LANG_EN, NULL), SHIKAKU_STATUS_OK,
           NULL);
    st = shikaku_authenticate(service, CODE, ID, changed, "123456", NULL, &error);
    expect("authenticate while locked", st, SHIKAKU_STATUS_LOCKED, error);
    error = NULL;
    expect("unlock", shikaku_unlock(service, CODE, ID, NULL), SHIKAKU_STATUS_OK, NULL);
    printf("unlock: ok\n");

    /* The receipt computer's one-call authentication. */
    shikaku_authentication who;
    away_from_step_boundary();
    passcode(setup_key, 30, code);
    st = shikaku_authenticate(service, CODE, ID, changed, code, &who, &error);
    expect("authenticate", st, SHIKAKU_STATUS_OK, error);
    error = NULL;
    require(strcmp(who.account.institution_code, CODE) == 0, "who");
    printf("authenticate: %s/%s verified\n", who.account.institution_code, who.account.login_id);
    st = shikaku_authenticate(service, CODE, ID, changed, code, NULL, &error);
    expect("authenticate (replayed code)", st, SHIKAKU_STATUS_INVALID_PASSCODE, error);
    error = NULL;
    memset(code, 0, sizeof code);
    memset(setup_key, 0, sizeof setup_key);

    shikaku_account_list list;
    expect("accounts", shikaku_accounts(service, &list, NULL), SHIKAKU_STATUS_OK, NULL);
    require(list.len == 1 && list.items[0].enrolled, "one registered account");
    printf("accounts: %zu — %s/%s enrolled=%d disabled=%d password locked until=%lld\n", list.len,
           list.items[0].account.institution_code, list.items[0].account.login_id,
           (int)list.items[0].enrolled, (int)list.items[0].disabled,
           (long long)list.items[0].password_locked_until);
    shikaku_account_list_free(&list);

    /* What a C caller can get wrong is an error, not a crash. */
    st = shikaku_password_login(NULL, CODE, ID, changed, &out, &error);
    expect("NULL service", st, SHIKAKU_STATUS_NULL_ARGUMENT, error);
    error = NULL;
    st = shikaku_password_login(service, CODE, ID, NULL, &out, &error);
    expect("NULL password", st, SHIKAKU_STATUS_NULL_ARGUMENT, error);
    error = NULL;
    st = shikaku_password_login(service, CODE, ID, "\xff\xfe", &out, &error);
    expect("invalid UTF-8", st, SHIKAKU_STATUS_INVALID_UTF8, error);
    error = NULL;
    st = shikaku_password_login(service, "12", ID, changed, &out, &error);
    expect("short institution code", st, SHIKAKU_STATUS_MALFORMED_INSTITUTION_CODE, error);
    error = NULL;
    st = shikaku_check_password(NULL, "password", &error);
    expect("the rules alone", st, SHIKAKU_STATUS_PASSWORD_POLICY, error);
    error = NULL;
    shikaku_error_free(NULL);
    shikaku_string_free(NULL);
    shikaku_close(NULL);

    shikaku_string_free(initial);
    shikaku_close(service);
    printf("ALL OK\n");
    return 0;
}
