//! Criterion benches: encoding an otpauth URI, then each renderer on its own.
//!
//! Run: `cargo bench -p shikaku-qr --bench qr`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shikaku_qr::{EnrollmentSheet, QrCode, TerminalStyle};

const URI: &str = "otpauth://totp/Shikaku:user01?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Shikaku&algorithm=SHA1&digits=6&period=30";

fn encode(c: &mut Criterion) {
    c.bench_function("qr/encode", |b| {
        b.iter(|| QrCode::new(black_box(URI)).unwrap());
    });
}

fn render(c: &mut Criterion) {
    let qr = QrCode::new(URI).unwrap();
    c.bench_function("qr/render_svg", |b| b.iter(|| black_box(&qr).to_svg()));
    c.bench_function("qr/render_png_8px", |b| {
        b.iter(|| black_box(&qr).to_png(8).unwrap());
    });
    c.bench_function("qr/render_terminal", |b| {
        b.iter(|| black_box(&qr).to_terminal_with(TerminalStyle::Colored));
    });
}

fn end_to_end(c: &mut Criterion) {
    c.bench_function("qr/encode+svg", |b| {
        b.iter(|| QrCode::new(black_box(URI)).unwrap().to_svg());
    });
    c.bench_function("qr/encode+png_8px", |b| {
        b.iter(|| QrCode::new(black_box(URI)).unwrap().to_png(8).unwrap());
    });
    let sheet = EnrollmentSheet {
        issuer: "Shikaku",
        institution_code: "1312345678",
        login_id: "user01",
        setup_key_display: "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
        setup_key_copy: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        otpauth_uri: URI,
        issued_on: time::macros::date!(2026 - 04 - 01),
    };
    c.bench_function("qr/sheet_render_html", |b| {
        b.iter(|| black_box(&sheet).render_html().unwrap());
    });
}

criterion_group!(benches, encode, render, end_to_end);
criterion_main!(benches);
