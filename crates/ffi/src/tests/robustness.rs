//! Bad pointers and text, panics, closed handles, threads.

use super::*;

#[test]
fn bad_pointers_and_bad_text_are_errors_not_crashes() {
    let f = Fixture::new();
    let mut error = Error::none();
    let mut out = ptr::null_mut();
    let status =
        unsafe { shikaku_open_database(ptr::null(), SHIKAKU_LANG_EN, &mut out, error.slot()) };
    assert_eq!(status, shikaku_status::NullArgument);
    assert_eq!(error.message(), "The argument database is NULL.");
    assert_eq!(
        error.message_in(SHIKAKU_LANG_JA),
        "引数 database に NULL が渡されました。"
    );
    assert!(out.is_null());

    let status = unsafe { shikaku_open_database(c"x.db".as_ptr(), 2, &mut out, error.slot()) };
    assert_eq!(status, shikaku_status::InvalidArgument);
    let status = unsafe {
        shikaku_open_database(
            c"postgres://db/shikaku".as_ptr(),
            SHIKAKU_LANG_EN,
            &mut out,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::Unsupported);
    let status = unsafe {
        shikaku_open_database(
            c"x.db".as_ptr(),
            SHIKAKU_LANG_EN,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, shikaku_status::NullArgument);

    let mut login = NO_LOGIN_FOR_TESTS;
    let status = unsafe {
        shikaku_password_login(
            ptr::null(),
            CODE.as_ptr(),
            c"a".as_ptr(),
            c"b".as_ptr(),
            &mut login,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::NullArgument);
    let status = unsafe {
        shikaku_password_login(
            f.service,
            CODE.as_ptr(),
            c"a".as_ptr(),
            c"b".as_ptr(),
            ptr::null_mut(),
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::NullArgument);
    assert_eq!(error.message(), "The argument out is NULL.");
    let bad_utf8 = [0xffu8, 0xfe, 0];
    let status = unsafe {
        shikaku_password_login(
            f.service,
            CODE.as_ptr(),
            c"staff".as_ptr(),
            bad_utf8.as_ptr().cast(),
            &mut login,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::InvalidUtf8);
    assert_eq!(error.message(), "The argument password is not valid UTF-8.");
    let status = unsafe {
        shikaku_password_login(
            f.service,
            CODE.as_ptr(),
            c"staff 01".as_ptr(),
            c"x".as_ptr(),
            &mut login,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::MalformedLoginId);

    // Getters and free functions take NULL.
    assert!(unsafe { shikaku_error_message(ptr::null()) }.is_null());
    assert_eq!(
        unsafe { shikaku_error_status(ptr::null()) },
        shikaku_status::NullArgument
    );
    assert_eq!(unsafe { shikaku_error_locked_until(ptr::null()) }, 0);
    assert!(unsafe { shikaku_enrollment_qr_svg(ptr::null()) }.is_null());
    unsafe {
        shikaku_error_free(ptr::null_mut());
        shikaku_enrollment_free(ptr::null_mut());
        shikaku_string_free(ptr::null_mut());
        shikaku_bytes_free(ptr::null_mut());
        shikaku_account_list_free(ptr::null_mut());
        shikaku_token_clear(ptr::null_mut());
        shikaku_close(ptr::null_mut());
    }
}

#[test]
fn a_panic_stops_at_the_boundary() {
    let mut object: *mut shikaku_error = ptr::null_mut();
    let slot = unsafe { ErrorSlot::new(&mut object) };
    let status = slot.run(|_| panic!("a bug"));
    assert_eq!(status, shikaku_status::Panic);
    let error = Error(object);
    assert_eq!(error.name(), "panic");
    assert_eq!(error.message(), m::PANIC.ja);
}

#[test]
fn a_closed_handle_still_held_by_a_call_is_refused() {
    let mut f = Fixture::new();
    let mut context = m::Context::default();
    // A call in flight on another thread holds a reference…
    let held = unsafe { guard::service(f.service, &mut context) }.unwrap();
    assert_eq!(context.lang, Lang::En);
    unsafe { shikaku_close(f.service) };
    // …so the memory is alive, and a call started after the close is refused.
    let mut error = Error::none();
    let status = unsafe { shikaku_set_language(f.service, SHIKAKU_LANG_JA, error.slot()) };
    assert_eq!(status, shikaku_status::InvalidHandle);
    // A second close is ignored; the in-flight call's reference frees the service.
    unsafe { shikaku_close(f.service) };
    drop(held);
    f.service = ptr::null_mut(); // closed above
}

#[test]
fn one_handle_many_threads() {
    let f = Fixture::new();
    // One account per thread: concurrent attempts on one account are reserved as
    // failures before argon2 runs (docs/lockout.md), so more than 3 at once lock it.
    let ids: Vec<CString> = (0..4)
        .map(|i| CString::new(format!("staff1{i}")).unwrap())
        .collect();
    let passwords: Vec<CString> = ids.iter().map(|id| f.provision(id)).collect();
    let service = f.service as usize;
    std::thread::scope(|scope| {
        for (id, password) in ids.iter().zip(&passwords) {
            scope.spawn(move || {
                let service = service as *mut shikaku_service;
                let mut login = NO_LOGIN_FOR_TESTS;
                let status = unsafe {
                    shikaku_password_login(
                        service,
                        CODE.as_ptr(),
                        id.as_ptr(),
                        password.as_ptr(),
                        &mut login,
                        ptr::null_mut(),
                    )
                };
                assert_eq!(status, shikaku_status::Ok);
                assert_eq!(login.next, shikaku_next::Enroll);
            });
        }
    });
}
